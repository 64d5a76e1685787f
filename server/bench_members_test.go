package server_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
)

// BenchmarkListMembers50: GET /members returning 50 members (with their users and teams) on
// PostgreSQL, through the whole server: request ID, bearer authentication with its session
// check, OpenAPI request validation, the membership check and the list query. The harness's
// own response validation runs once before timing, not in the loop.
func BenchmarkListMembers50(b *testing.B) {
	if os.Getenv(envPostgresURL) == "" {
		b.Skipf("set %s to run on PostgreSQL", envPostgresURL)
	}
	h := newHarness(b, "postgres")
	admin := h.newUser("benchm")
	id := h.createOrg(admin, "Bench Org").Id.String()
	team := h.createTeam(admin, id, "Bench Team", admin).Id.String()
	h.seedMembers(id, 49, team)
	path := orgPath(id, "/members?limit=50")

	var list []json.RawMessage
	h.raw("GET", path, nil, admin.auth()).expect(b, 200).decode(b, &list)
	if len(list) != 50 {
		b.Fatalf("%d members listed", len(list))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest("GET", path, nil)
		req.RemoteAddr = h.remoteAddr
		req.Header.Set("Authorization", "Bearer "+admin.Access)
		rec := httptest.NewRecorder()
		h.e.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}
