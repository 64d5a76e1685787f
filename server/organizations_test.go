package server_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/store"
)

func TestOrganizationCreateAndSlugs(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("orgc")
		o := h.createOrg(u, "Acme Learning")
		if o.Slug != "acme-learning" || o.MemberCount != 1 || o.MyRole.MustGet() != api.Admin || !o.Description.IsNull() {
			t.Fatalf("created %+v", o)
		}
		if got := rowString(h.membershipRow(o.Id.String(), u.ID)); got != "admin/-" {
			t.Fatalf("creator membership %s", got)
		}
		for _, c := range []struct{ name, slug string }{
			{"  ACME -- Learning!! ", "acme-learning-2"},
			{"acme learning", "acme-learning-3"},
			{"Ünïcode Straße 42", "unicode-stra-e-42"},
			{"Äpfel & Birnen", "apfel-birnen"},
			{strings.Repeat("ab ", 33), strings.TrimRight(strings.Repeat("ab-", 19), "-")},
		} {
			if got := h.createOrg(u, c.name).Slug; got != c.slug {
				t.Errorf("name %q: slug %q, want %q", c.name, got, c.slug)
			}
		}
		// Names with nothing usable get a random "org-" slug each.
		anon := regexp.MustCompile(`^org-[0-9a-f]{8}$`)
		first, second := h.createOrg(u, "!!").Slug, h.createOrg(u, "東京").Slug
		if !anon.MatchString(first) || !anon.MatchString(second) || first == second {
			t.Errorf("unusable names: slugs %q, %q", first, second)
		}
		var explicit api.OrganizationResponse
		h.raw("POST", "/api/organizations", map[string]any{"name": "Other", "slug": "acme-explicit", "description": "d"}, u.auth()).
			expect(t, 201).decode(t, &explicit)
		if explicit.Slug != "acme-explicit" || explicit.Description.MustGet() != "d" {
			t.Fatalf("explicit %+v", explicit)
		}
		before := h.orgDump()
		for _, slug := range []string{"acme-learning", "acme-explicit", "acme-learning-2"} {
			r := h.raw("POST", "/api/organizations", map[string]any{"name": "Taken", "slug": slug}, u.auth()).expect(t, 409)
			if r.errorBody(t).Error != "slug_taken" {
				t.Fatalf("slug %s: %s", slug, r.Body)
			}
		}
		if h.orgDump() != before {
			t.Fatal("a refused create left rows behind")
		}
	})
}

// TestConcurrentSlugDerivation: creates racing for the same derived slug all succeed, each
// with a distinct slug (a create that loses the unique index retries with the next suffix).
func TestConcurrentSlugDerivation(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("slugrace")
		const n = 8
		slugs := make([]string, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := h.raw("POST", "/api/organizations", map[string]any{"name": "Race Slug"}, u.auth())
				var o api.OrganizationResponse
				if r.Status != 201 || json.Unmarshal(r.Body, &o) != nil {
					t.Errorf("create %d: %d %s", i, r.Status, r.Body)
					return
				}
				slugs[i] = o.Slug
			}()
		}
		wg.Wait()
		slices.Sort(slugs)
		want := []string{"race-slug"}
		for i := 2; i <= n; i++ {
			want = append(want, fmt.Sprintf("race-slug-%d", i))
		}
		slices.Sort(want)
		if !slices.Equal(slugs, want) {
			t.Fatalf("slugs %v, want %v", slugs, want)
		}
	})
}

func TestOrganizationListAndGet(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		alice, bob, sa := h.newUser("lista"), h.newUser("listb"), h.newUser("listsa")
		h.superAdmin(sa)
		a1 := h.createOrg(alice, "Alice One")
		a2 := h.createOrg(alice, "Alice Two")
		b1 := h.createOrg(bob, "Bob One")
		h.addMember(bob, b1.Id.String(), alice, "member", "")

		var list []api.OrganizationResponse
		h.raw("GET", "/api/organizations", nil, alice.auth()).expect(t, 200).decode(t, &list)
		if len(list) != 3 || list[0].Id != a1.Id || list[1].Id != a2.Id || list[2].Id != b1.Id {
			t.Fatalf("alice lists %+v", list)
		}
		if list[2].MyRole.MustGet() != api.Member || list[2].MemberCount != 2 {
			t.Fatalf("alice in bob's org %+v", list[2])
		}
		// all=true is ignored for everyone but a super_admin.
		h.raw("GET", "/api/organizations?all=true", nil, bob.auth()).expect(t, 200).decode(t, &list)
		if len(list) != 1 || list[0].Id != b1.Id {
			t.Fatalf("bob lists %+v", list)
		}
		h.raw("GET", "/api/organizations?limit=1&offset=1", nil, alice.auth()).expect(t, 200).decode(t, &list)
		if len(list) != 1 || list[0].Id != a2.Id {
			t.Fatalf("page %+v", list)
		}
		h.raw("GET", "/api/organizations", nil, sa.auth()).expect(t, 200).decode(t, &list)
		if len(list) != 0 {
			t.Fatalf("super_admin without all: %+v", list)
		}
		h.raw("GET", "/api/organizations?all=true", nil, sa.auth()).expect(t, 200).decode(t, &list)
		if len(list) != 3 || !list[0].MyRole.IsNull() {
			t.Fatalf("super_admin all: %+v", list)
		}

		// An API key lists only its own organization, even for a member of several.
		key, _ := h.newKey(alice, a2.Id.String(), []string{"organizations:read"})
		h.raw("GET", "/api/organizations", nil, apiKey(key)).expect(t, 200).decode(t, &list)
		if len(list) != 1 || list[0].Id != a2.Id {
			t.Fatalf("key lists %+v", list)
		}

		var got api.OrganizationResponse
		h.raw("GET", orgPath(b1.Id.String()), nil, alice.auth()).expect(t, 200).decode(t, &got)
		if got.Name != "Bob One" || got.MyRole.MustGet() != api.Member {
			t.Fatalf("get %+v", got)
		}
		h.raw("GET", orgPath(b1.Id.String()), nil, sa.auth()).expect(t, 200).decode(t, &got)
		if !got.MyRole.IsNull() || got.MemberCount != 2 {
			t.Fatalf("super_admin get %+v", got)
		}
		h.raw("GET", orgPath(a1.Id.String()), nil, bob.auth()).expect(t, 404)
		h.raw("GET", orgPath(b1.Id.String()), nil, apiKey(key)).expect(t, 404)
		h.raw("GET", orgPath(store.NewID()), nil, alice.auth()).expect(t, 404)
	})
}

func TestOrganizationUpdate(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		admin, mgr, mem, sa := h.newUser("upda"), h.newUser("updm"), h.newUser("updmem"), h.newUser("updsa")
		h.superAdmin(sa)
		var o api.OrganizationResponse
		h.raw("POST", "/api/organizations", map[string]any{"name": "Upd Org", "description": "first"}, admin.auth()).
			expect(t, 201).decode(t, &o)
		id := o.Id.String()
		h.addMember(admin, id, mgr, "manager", "")
		h.addMember(admin, id, mem, "member", "")
		h.createOrg(admin, "Taken Slug")

		var got api.OrganizationResponse
		h.raw("PATCH", orgPath(id), map[string]any{"name": "Renamed"}, admin.auth()).expect(t, 200).decode(t, &got)
		if got.Name != "Renamed" || got.Slug != o.Slug || got.Description.MustGet() != "first" || got.MemberCount != 3 {
			t.Fatalf("rename %+v", got)
		}
		h.raw("PATCH", orgPath(id), map[string]any{"description": nil}, admin.auth()).expect(t, 200).decode(t, &got)
		if !got.Description.IsNull() || got.Name != "Renamed" {
			t.Fatalf("clear description %+v", got)
		}
		h.raw("PATCH", orgPath(id), map[string]any{"description": "again"}, admin.auth()).expect(t, 200)
		h.raw("PATCH", orgPath(id), map[string]any{"description": ""}, admin.auth()).expect(t, 200).decode(t, &got)
		if !got.Description.IsNull() {
			t.Fatalf("empty description is stored as null, as on create: %+v", got)
		}
		h.raw("PATCH", orgPath(id), map[string]any{"slug": "new-slug", "description": "x"}, sa.auth()).expect(t, 200).decode(t, &got)
		if got.Slug != "new-slug" || got.Description.MustGet() != "x" || !got.MyRole.IsNull() {
			t.Fatalf("super_admin patch %+v", got)
		}
		if h.raw("PATCH", orgPath(id), map[string]any{"slug": "taken-slug"}, admin.auth()).expect(t, 409).errorBody(t).Error != "slug_taken" {
			t.Fatal("taken slug")
		}
		before := h.orgDump()
		for _, u := range []*user{mgr, mem} {
			h.raw("PATCH", orgPath(id), map[string]any{"name": "Nope"}, u.auth()).expect(t, 403)
			h.raw("DELETE", orgPath(id), nil, u.auth()).expect(t, 403)
		}
		if h.orgDump() != before {
			t.Fatal("a refused update changed rows")
		}
	})
}

func TestOrganizationDelete(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		admin, mem := h.newUser("dela"), h.newUser("delm")
		o := h.createOrg(admin, "Doomed")
		keep := h.createOrg(admin, "Kept")
		id := o.Id.String()
		team := h.createTeam(admin, id, "Doomed Team", admin)
		h.addMember(admin, id, mem, "member", team.Id.String())
		key, _ := h.newKey(admin, id, []string{"organizations:read", "organizations:write"})
		keptKey, _ := h.newKey(admin, keep.Id.String(), []string{"organizations:read"})

		h.raw("DELETE", orgPath(id), nil, admin.auth()).expect(t, 204)
		for _, table := range []string{"teams", "memberships", "api_keys"} {
			if n := h.countRows(table, "organization_id = ?", id); n != 0 {
				t.Errorf("%d %s rows left", n, table)
			}
		}
		if n := h.countRows("organizations", "id = ?", id); n != 0 {
			t.Fatal("organization left")
		}
		// Its API keys stop working at once; other organizations are untouched.
		h.raw("GET", "/api/organizations", nil, apiKey(key)).expect(t, 401)
		h.raw("GET", "/api/organizations", nil, apiKey(keptKey)).expect(t, 200)
		h.raw("GET", orgPath(id), nil, admin.auth()).expect(t, 404)
		h.raw("DELETE", orgPath(id), nil, admin.auth()).expect(t, 404)
		if n := h.countRows("memberships", "organization_id = ?", keep.Id.String()); n != 1 {
			t.Fatalf("kept org has %d members", n)
		}
	})
}

// TestMassAssignment sends bodies with fields their schema does not have: every one is refused
// with 400 validation_error naming the request, and nothing changes.
func TestMassAssignment(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		admin, other := h.newUser("massa"), h.newUser("masso")
		o := h.createOrg(admin, "Mass Org")
		id := o.Id.String()
		foreign := h.createOrg(other, "Foreign Org").Id.String()
		team := h.createTeam(admin, id, "Mass Team", nil).Id.String()
		mem := h.newUser("massm")
		h.addMember(admin, id, mem, "member", "")
		memberPath := orgPath(id, "/members/", mem.ID)
		cases := []struct {
			name, method, path string
			body               map[string]any
		}{
			{"org create id", "POST", "/api/organizations", map[string]any{"name": "M", "id": store.NewID()}},
			{"org create created_at", "POST", "/api/organizations", map[string]any{"name": "M", "created_at": "2020-01-01T00:00:00Z"}},
			{"org create member_count", "POST", "/api/organizations", map[string]any{"name": "M", "member_count": 9}},
			{"org create my_role", "POST", "/api/organizations", map[string]any{"name": "M", "my_role": "member"}},
			{"org patch id", "PATCH", orgPath(id), map[string]any{"name": "M", "id": store.NewID()}},
			{"org patch organization_id", "PATCH", orgPath(id), map[string]any{"organization_id": foreign}},
			{"org patch created_at", "PATCH", orgPath(id), map[string]any{"created_at": "2020-01-01T00:00:00Z"}},
			{"team create role", "POST", orgPath(id, "/teams"), map[string]any{"name": "T", "role": "admin"}},
			{"team create organization_id", "POST", orgPath(id, "/teams"), map[string]any{"name": "T", "organization_id": foreign}},
			{"team create id", "POST", orgPath(id, "/teams"), map[string]any{"name": "T", "id": store.NewID()}},
			{"team patch organization_id", "PATCH", orgPath(id, "/teams/", team), map[string]any{"organization_id": foreign}},
			{"team patch member_count", "PATCH", orgPath(id, "/teams/", team), map[string]any{"name": "T2", "member_count": 5}},
			{"member add joined_at", "POST", orgPath(id, "/members"), map[string]any{"username": other.Username, "joined_at": "2020-01-01T00:00:00Z"}},
			{"member add organization_id", "POST", orgPath(id, "/members"), map[string]any{"username": other.Username, "organization_id": foreign}},
			{"member role patch team_id", "PATCH", memberPath, map[string]any{"role": "manager", "team_id": team}},
			{"member role patch user_id", "PATCH", memberPath, map[string]any{"role": "manager", "user_id": other.ID}},
			{"member put user_id", "PUT", memberPath, map[string]any{"role": "manager", "user_id": other.ID}},
			{"member put joined_at", "PUT", memberPath, map[string]any{"team_id": team, "joined_at": "2020-01-01T00:00:00Z"}},
			{"member put email", "PUT", memberPath, map[string]any{"role": "admin", "email": "x@example.com"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := h.orgDump()
				r := h.raw(c.method, c.path, c.body, admin.auth()).expect(t, 400)
				if d := r.errorBody(t); d.Error != "validation_error" || d.Errors == nil || len(*d.Errors) == 0 {
					t.Fatalf("error %s", r.Body)
				}
				if h.orgDump() != before {
					t.Fatal("rows changed")
				}
			})
		}
	})
}
