package server_test

import (
	"testing"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/store"
)

func TestTeamsCRUD(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		admin, mgr, mem, outsider := h.newUser("tadm"), h.newUser("tmgr"), h.newUser("tmem"), h.newUser("tout")
		o := h.createOrg(admin, "Team Org")
		id := o.Id.String()
		h.addMember(admin, id, mgr, "manager", "")
		h.addMember(admin, id, mem, "member", "")

		var tm api.TeamResponse
		h.raw("POST", orgPath(id, "/teams"), map[string]any{"name": "Sales EMEA", "description": "d", "manager_user_id": mgr.ID}, admin.auth()).
			expect(t, 201).decode(t, &tm)
		if tm.Name != "Sales EMEA" || tm.OrganizationId != o.Id || tm.ManagerUserId.MustGet().String() != mgr.ID || tm.MemberCount != 0 || tm.Description.MustGet() != "d" {
			t.Fatalf("created %+v", tm)
		}
		teamPath := orgPath(id, "/teams/", tm.Id.String())
		other := h.createTeam(admin, id, "Apac", admin)
		if other.ManagerUserId.MustGet().String() != admin.ID || !other.Description.IsNull() {
			t.Fatalf("admin-managed team %+v", other)
		}

		// Names are unique per organization regardless of case; other orgs may reuse them.
		r := h.raw("POST", orgPath(id, "/teams"), map[string]any{"name": "sales emea"}, admin.auth()).expect(t, 409)
		if r.errorBody(t).Error != "team_name_taken" {
			t.Fatalf("duplicate name %s", r.Body)
		}
		elsewhere := h.createOrg(outsider, "Elsewhere")
		h.createTeam(outsider, elsewhere.Id.String(), "Sales EMEA", nil)

		// The manager must be a member with role manager or admin.
		for _, bad := range []string{mem.ID, outsider.ID, store.NewID()} {
			r := h.raw("POST", orgPath(id, "/teams"), map[string]any{"name": "Bad " + bad[:8], "manager_user_id": bad}, admin.auth()).expect(t, 422)
			if r.errorBody(t).Error != "invalid_manager" {
				t.Fatalf("manager %s: %s", bad, r.Body)
			}
			h.raw("PATCH", teamPath, map[string]any{"manager_user_id": bad}, admin.auth()).expect(t, 422)
		}

		// Members read; only admins write.
		h.addMember(admin, id, h.newUser("tin"), "member", tm.Id.String())
		for _, u := range []*user{admin, mgr, mem} {
			var list []api.TeamResponse
			h.raw("GET", orgPath(id, "/teams"), nil, u.auth()).expect(t, 200).decode(t, &list)
			if len(list) != 2 || list[0].Name != "Apac" || list[1].Name != "Sales EMEA" || list[1].MemberCount != 1 {
				t.Fatalf("list %+v", list)
			}
			var got api.TeamResponse
			h.raw("GET", teamPath, nil, u.auth()).expect(t, 200).decode(t, &got)
			if got.Id != tm.Id || got.MemberCount != 1 {
				t.Fatalf("get %+v", got)
			}
		}
		before := h.orgDump()
		for _, u := range []*user{mgr, mem} {
			h.raw("POST", orgPath(id, "/teams"), map[string]any{"name": "Nope"}, u.auth()).expect(t, 403)
			h.raw("PATCH", teamPath, map[string]any{"name": "Nope"}, u.auth()).expect(t, 403)
			h.raw("DELETE", teamPath, nil, u.auth()).expect(t, 403)
		}
		h.raw("GET", teamPath, nil, outsider.auth()).expect(t, 404)
		h.raw("GET", orgPath(id, "/teams"), nil, outsider.auth()).expect(t, 404)
		// A team is only reachable under its own organization.
		h.raw("GET", orgPath(elsewhere.Id.String(), "/teams/", tm.Id.String()), nil, outsider.auth()).expect(t, 404)
		h.raw("GET", orgPath(id, "/teams/", store.NewID()), nil, admin.auth()).expect(t, 404)
		if h.orgDump() != before {
			t.Fatal("refused team writes changed rows")
		}

		// PATCH changes only what is sent; null clears.
		var got api.TeamResponse
		h.raw("PATCH", teamPath, map[string]any{"manager_user_id": nil, "description": nil}, admin.auth()).expect(t, 200).decode(t, &got)
		if !got.ManagerUserId.IsNull() || !got.Description.IsNull() || got.Name != "Sales EMEA" {
			t.Fatalf("cleared %+v", got)
		}
		h.raw("PATCH", teamPath, map[string]any{"name": "Sales", "manager_user_id": mgr.ID}, admin.auth()).expect(t, 200).decode(t, &got)
		if got.Name != "Sales" || got.ManagerUserId.MustGet().String() != mgr.ID {
			t.Fatalf("renamed %+v", got)
		}
		if h.raw("PATCH", teamPath, map[string]any{"name": "APAC"}, admin.auth()).expect(t, 409).errorBody(t).Error != "team_name_taken" {
			t.Fatal("rename onto a taken name")
		}
		h.raw("PATCH", orgPath(id, "/teams/", store.NewID()), map[string]any{"name": "Ghost"}, admin.auth()).expect(t, 404)

		// Deleting a team keeps its members, without a team.
		h.raw("DELETE", teamPath, nil, admin.auth()).expect(t, 204)
		if n := h.countRows("memberships", "organization_id = ? AND team_id IS NOT NULL", id); n != 0 {
			t.Fatalf("%d members still assigned", n)
		}
		if n := h.countRows("memberships", "organization_id = ?", id); n != 4 {
			t.Fatalf("%d members left", n)
		}
		h.raw("DELETE", teamPath, nil, admin.auth()).expect(t, 404)
	})
}

// TestTeamManagerFollowsMembership: a manager who leaves the organization or is demoted to
// member stops managing its teams.
func TestTeamManagerFollowsMembership(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		admin, m1, m2 := h.newUser("tfa"), h.newUser("tf1"), h.newUser("tf2")
		id := h.createOrg(admin, "Follow Org").Id.String()
		h.addMember(admin, id, m1, "manager", "")
		h.addMember(admin, id, m2, "manager", "")
		t1 := h.createTeam(admin, id, "One", m1)
		t2 := h.createTeam(admin, id, "Two", m2)
		h.raw("PATCH", orgPath(id, "/members/", m1.ID), map[string]any{"role": "member"}, admin.auth()).expect(t, 200)
		h.raw("DELETE", orgPath(id, "/members/", m2.ID), nil, m2.auth()).expect(t, 204)
		for _, tm := range []api.TeamResponse{t1, t2} {
			var got api.TeamResponse
			h.raw("GET", orgPath(id, "/teams/", tm.Id.String()), nil, admin.auth()).expect(t, 200).decode(t, &got)
			if !got.ManagerUserId.IsNull() {
				t.Fatalf("team %s still managed: %+v", tm.Name, got)
			}
		}
	})
}
