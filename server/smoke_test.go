package server_test

import "testing"

func TestSmoke(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("smoke")
		r := h.raw("GET", "/api/auth/me", nil, u.auth()).expect(t, 200)
		t.Logf("%s", r.Body)
		h.raw("GET", "/api/organizations", nil, u.auth()).expect(t, 501)
	})
}
