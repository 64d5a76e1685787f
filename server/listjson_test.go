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

// TestMeProfileEncoding: meProfile writes exactly what the generated GetMe response writes.
func TestMeProfileEncoding(t *testing.T) {
	name, avatar, nick := "Zoë <b>&amp;</b>", "https://example.com/a?b=1&c=<2>", "nick\u2029"
	for _, u := range []*store.User{
		{ID: store.NewID(), Username: "u", Email: "u@example.com", Role: "user", Timezone: "Europe/Berlin", Language: "de", Plan: "pro",
			FullName: &name, AvatarURL: &avatar, LiveNickname: &nick, PublicProfile: true,
			CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("y", -7200)), UpdatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)},
		{ID: store.NewID(), Username: "v", Email: "v@example.com", Role: "super_admin", Timezone: "UTC", Language: "en", Plan: "free"},
	} {
		want, got := httptest.NewRecorder(), httptest.NewRecorder()
		if err := api.GetMe200JSONResponse(userProfile(u)).VisitGetMeResponse(want); err != nil {
			t.Fatal(err)
		}
		if err := (meProfile{u}).VisitGetMeResponse(got); err != nil {
			t.Fatal(err)
		}
		if got.Body.String() != want.Body.String() || got.Code != want.Code || got.Header().Get("Content-Type") != want.Header().Get("Content-Type") {
			t.Fatalf("got %d\n%s\nwant %d\n%s", got.Code, got.Body, want.Code, want.Body)
		}
	}
}
