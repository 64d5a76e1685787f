package server_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestAccessLogLine: one JSON line per request with the final status (an error answered by
// the error handler too), path, client IP and request id, and never the credential.
func TestAccessLogLine(t *testing.T) {
	h := newHarness(t, "sqlite")
	u := h.newUser("alog")
	h.raw("GET", "/api/auth/me", nil, u.auth()).expect(t, 200)
	h.raw("GET", "/api/auth/me", nil, bearer("not-a-token"), header{"X-Request-ID", "alog-401"}).expect(t, 401)
	h.raw("GET", "/api/nowhere", nil, header{"X-Request-ID", "alog-404"}).expect(t, 404)
	lines := map[string]map[string]any{}
	for _, l := range strings.Split(h.logs.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == "request" {
			id, _ := m["request_id"].(string)
			lines[id] = m
		}
	}
	for id, want := range map[string]struct {
		path   string
		status float64
	}{"alog-401": {"/api/auth/me", 401}, "alog-404": {"/api/nowhere", 404}} {
		m := lines[id]
		if m == nil {
			t.Fatalf("no access line for %s in\n%s", id, h.logs.String())
		}
		if m["path"] != want.path || m["status"] != want.status || m["method"] != "GET" || m["ip"] != "192.0.2.10" {
			t.Errorf("%s: %v", id, m)
		}
		for _, k := range []string{"latency", "bytes", "level", "time"} {
			if _, ok := m[k]; !ok {
				t.Errorf("%s: no %s in %v", id, k, m)
			}
		}
	}
	if strings.Contains(h.logs.String(), u.Access) || strings.Contains(h.logs.String(), "not-a-token") {
		t.Error("a credential reached the log")
	}
}
