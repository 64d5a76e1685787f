package server_test

import (
	"context"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"

	"github.com/xentree/xentree-api/store"
)

// demoteAfterFirstCheck arms a hook that demotes actor in orgID right after the request's first
// read of memberships (the early permission check, outside any transaction): the window in
// which a concurrent demotion commits between a check and the write it guards.
func (h *harness) demoteAfterFirstCheck(orgID string, actor *user) {
	h.t.Helper()
	var armed atomic.Bool
	armed.Store(true)
	db := h.store.DB(context.Background())
	name := "test:demote:" + store.NewID()
	err := db.Callback().Query().After("gorm:query").Register(name, func(tx *gorm.DB) {
		if tx.Statement.Table == "memberships" && armed.CompareAndSwap(true, false) {
			h.store.DB(context.Background()).Exec("UPDATE memberships SET role = ? WHERE organization_id = ? AND user_id = ?",
				store.OrgMember, orgID, actor.ID)
		}
	})
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { _ = db.Callback().Query().Remove(name) })
}

// TestAdminWritesRecheckUnderLock: an admin demoted while its request is in flight cannot
// complete an admin-only write; the role is re-read under the organization lock.
func TestAdminWritesRecheckUnderLock(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		owner, b, pal := h.newUser("rc_own"), h.newUser("rc_b"), h.newUser("rc_pal")
		org := h.createOrg(owner, "Recheck Org").Id.String()
		h.addMember(owner, org, b, "admin", "")
		team := h.createTeam(owner, org, "Recheck Team", nil).Id.String()

		cases := []struct {
			name, method, path string
			body               any
		}{
			{"add member as admin", "POST", "/members", map[string]any{"user_id": pal.ID, "role": "admin"}},
			{"update organization", "PATCH", "", map[string]any{"name": "Taken Over"}},
			{"create team", "POST", "/teams", map[string]any{"name": "Rogue"}},
			{"update team", "PATCH", "/teams/" + team, map[string]any{"name": "Rogue"}},
			{"delete team", "DELETE", "/teams/" + team, nil},
			{"delete organization", "DELETE", "", nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				restore := func() {
					h.store.DB(context.Background()).Exec("UPDATE memberships SET role = 'admin' WHERE organization_id = ? AND user_id = ?", org, b.ID)
				}
				restore()
				before := h.orgDump()
				h.demoteAfterFirstCheck(org, b)
				h.raw(c.method, "/api/organizations/"+org+c.path, c.body, b.auth()).expect(t, 403)
				restore() // the injected demotion is the only change allowed
				after := h.orgDump()
				if before != after {
					t.Fatalf("a refused write changed rows:\n%s\n%s", before, after)
				}
			})
		}
	})
}

// TestSuperAdminKeyHasNoSuperPowers: a super_admin's API key acts with the creator's
// membership only, like any key (super_admin powers need a bearer token).
func TestSuperAdminKeyHasNoSuperPowers(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		owner, admin2, sa := h.newUser("sk_own"), h.newUser("sk_adm"), h.newUser("sk_sa")
		h.superAdmin(sa)
		org := h.createOrg(owner, "Key Powers Org").Id.String()
		h.addMember(owner, org, admin2, "admin", "")
		// Not a member: no key for this organization.
		h.raw("POST", "/api/api-keys", map[string]any{"name": "k", "organization_id": org, "scopes": []string{"organizations:write"}}, sa.auth()).expect(t, 404)
		// As a plain member, the key has a member's rights, not a super_admin's.
		h.seedMembership(org, sa, store.OrgMember, "")
		key, _ := h.newKey(sa, org, []string{"organizations:write", "organizations:read"})
		h.raw("PATCH", "/api/organizations/"+org+"/members/"+admin2.ID, map[string]any{"role": "member"}, apiKey(key)).expect(t, 403)
		if m := h.membershipRow(org, admin2.ID); m == nil || m.Role != store.OrgAdmin {
			t.Fatalf("admin2 changed: %+v", m)
		}
		// With a bearer token the super_admin may.
		h.raw("PATCH", "/api/organizations/"+org+"/members/"+admin2.ID, map[string]any{"role": "member"}, sa.auth()).expect(t, 200)
	})
}
