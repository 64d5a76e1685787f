package server

import (
	"net/http/httptest"
	"testing"
	"time"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/store"
)

// TestMemberListEncoding: memberList writes exactly the bytes and headers the generated
// response writes for the same rows (nulls, HTML-escaped and non-ASCII text, zones, nanoseconds).
func TestMemberListEncoding(t *testing.T) {
	name, team, teamName := "Zoë <b>&\u2028\"x\"</b>\t", store.NewID(), "T & <co>"
	rows := memberList{
		{Membership: store.Membership{OrganizationID: store.NewID(), UserID: store.NewID(), Role: "admin", TeamID: &team,
			JoinedAt: time.Date(2026, 3, 29, 1, 2, 3, 456789000, time.FixedZone("x", 3600))},
			Username: "a_b", Email: "a+b@example.com", FullName: &name, TeamName: &teamName},
		{Membership: store.Membership{OrganizationID: store.NewID(), UserID: store.NewID(), Role: "member",
			JoinedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}, Username: "c", Email: "c@example.com"},
	}
	for _, l := range []memberList{rows, {}} {
		want := httptest.NewRecorder()
		gen := make(api.ListMembers200JSONResponse, 0, len(l))
		for i := range l {
			gen = append(gen, memberResponse(&l[i]))
		}
		if err := gen.VisitListMembersResponse(want); err != nil {
			t.Fatal(err)
		}
		got := httptest.NewRecorder()
		if err := l.VisitListMembersResponse(got); err != nil {
			t.Fatal(err)
		}
		if got.Body.String() != want.Body.String() || got.Code != want.Code || got.Header().Get("Content-Type") != want.Header().Get("Content-Type") {
			t.Fatalf("got %d %q\n%s\nwant %d %q\n%s", got.Code, got.Header(), got.Body, want.Code, want.Header(), want.Body)
		}
	}
}
