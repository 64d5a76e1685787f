package server_test

import (
	"fmt"
	"testing"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/store"
)

// The PUT rule table: every actor × action × target, with the status and the resulting
// membership rows.
//
// Per case, a fresh world: organization A (created by owner) with teams T1 and T2 managed by
// mgr and T3 managed by mgr2; in A, admin, kadmin (creator of the two API keys, both bound to
// A), ta are admins, mgr, mgr2, tmg managers, mem, tm members; all of them but owner in T1.
// Destination D: admin, kadmin, mgr, mgr2, mem and outsider are admins there. Destination E:
// the same users are plain members. sa is a super_admin and a member of nothing.
//
// Actions: role (to member, or to manager for a member), team (to T2), transfer to D,
// transfer to E (no admin rights there), transfer to D naming T1 (a team of the wrong org).

var putTargets = [4]string{"member", "manager", "admin", "self"}

var putRules = []struct {
	actor, action string
	want          [4]int // for putTargets
}{
	{"super_admin", "role", [4]int{200, 200, 200, 404}}, // self: a super_admin is not a member of A
	{"super_admin", "team", [4]int{200, 200, 200, 404}},
	{"super_admin", "transfer", [4]int{200, 200, 200, 404}},
	{"super_admin", "transfer-no-rights", [4]int{200, 200, 200, 404}}, // a super_admin is admin everywhere
	{"super_admin", "transfer-wrong-team", [4]int{404, 404, 404, 404}},

	{"admin", "role", [4]int{200, 200, 403, 200}}, // another admin's role: super_admin only
	{"admin", "team", [4]int{200, 200, 200, 200}},
	{"admin", "transfer", [4]int{200, 200, 403, 409}}, // another admin: super_admin only; self: already in D
	{"admin", "transfer-no-rights", [4]int{403, 403, 403, 403}},
	{"admin", "transfer-wrong-team", [4]int{404, 404, 403, 409}},

	{"team_manager", "role", [4]int{403, 403, 403, 403}},
	{"team_manager", "team", [4]int{200, 200, 200, 200}}, // T1 → T2, both its own
	{"team_manager", "transfer", [4]int{403, 403, 403, 403}},
	{"team_manager", "transfer-no-rights", [4]int{403, 403, 403, 403}},
	{"team_manager", "transfer-wrong-team", [4]int{403, 403, 403, 403}},

	{"other_manager", "role", [4]int{403, 403, 403, 403}},
	{"other_manager", "team", [4]int{403, 403, 403, 403}}, // T1 is not its team
	{"other_manager", "transfer", [4]int{403, 403, 403, 403}},
	{"other_manager", "transfer-no-rights", [4]int{403, 403, 403, 403}},
	{"other_manager", "transfer-wrong-team", [4]int{403, 403, 403, 403}},

	{"member", "role", [4]int{403, 403, 403, 403}},
	{"member", "team", [4]int{403, 403, 403, 403}},
	{"member", "transfer", [4]int{403, 403, 403, 403}},
	{"member", "transfer-no-rights", [4]int{403, 403, 403, 403}},
	{"member", "transfer-wrong-team", [4]int{403, 403, 403, 403}},

	{"outsider", "role", [4]int{404, 404, 404, 404}},
	{"outsider", "team", [4]int{404, 404, 404, 404}},
	{"outsider", "transfer", [4]int{404, 404, 404, 404}},
	{"outsider", "transfer-no-rights", [4]int{404, 404, 404, 404}},
	{"outsider", "transfer-wrong-team", [4]int{404, 404, 404, 404}},

	// An API key acts as kadmin inside A only: D and E are out of its reach.
	{"key_write", "role", [4]int{200, 200, 403, 200}},
	{"key_write", "team", [4]int{200, 200, 200, 200}},
	// Moving another admin is refused before the destination is looked at.
	{"key_write", "transfer", [4]int{404, 404, 403, 404}},
	{"key_write", "transfer-no-rights", [4]int{404, 404, 403, 404}},
	{"key_write", "transfer-wrong-team", [4]int{404, 404, 403, 404}},

	// organizations:read only: refused by scope before anything else.
	{"key_read", "role", [4]int{403, 403, 403, 403}},
	{"key_read", "team", [4]int{403, 403, 403, 403}},
	{"key_read", "transfer", [4]int{403, 403, 403, 403}},
	{"key_read", "transfer-no-rights", [4]int{403, 403, 403, 403}},
	{"key_read", "transfer-wrong-team", [4]int{403, 403, 403, 403}},
}

// putWorld is the fixture of one case.
type putWorld struct {
	a, d, e           string
	t1, t2, t3        string
	keyWrite, keyRead string
}

type putUsers struct {
	sa, owner, admin, kadmin, mgr, mgr2, mem, outsider, tm, tmg, ta *user
}

func (h *harness) putWorld(us *putUsers, n int) putWorld {
	h.t.Helper()
	var w putWorld
	w.a = h.createOrg(us.owner, fmt.Sprintf("Put A %d", n)).Id.String()
	w.d = h.createOrg(us.owner, fmt.Sprintf("Put D %d", n)).Id.String()
	w.e = h.createOrg(us.owner, fmt.Sprintf("Put E %d", n)).Id.String()
	for _, m := range []struct {
		u    *user
		role string
	}{
		{us.admin, "admin"}, {us.kadmin, "admin"}, {us.ta, "admin"},
		{us.mgr, "manager"}, {us.mgr2, "manager"}, {us.tmg, "manager"},
		{us.mem, "member"}, {us.tm, "member"},
	} {
		h.seedMembership(w.a, m.u, m.role, "")
	}
	w.t1 = h.createTeam(us.owner, w.a, "T1", us.mgr).Id.String()
	w.t2 = h.createTeam(us.owner, w.a, "T2", us.mgr).Id.String()
	w.t3 = h.createTeam(us.owner, w.a, "T3", us.mgr2).Id.String()
	if err := h.store.DB(h.t.Context()).Table("memberships").Where("organization_id = ? AND user_id <> ?", w.a, us.owner.ID).
		Update("team_id", w.t1).Error; err != nil {
		h.t.Fatal(err)
	}
	for _, u := range []*user{us.admin, us.kadmin, us.mgr, us.mgr2, us.mem, us.outsider} {
		h.seedMembership(w.d, u, "admin", "")
		h.seedMembership(w.e, u, "member", "")
	}
	w.keyWrite, _ = h.newKey(us.kadmin, w.a, []string{"organizations:read", "organizations:write"})
	w.keyRead, _ = h.newKey(us.kadmin, w.a, []string{"organizations:read"})
	return w
}

func TestMemberPutRules(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		us := &putUsers{
			sa: h.newUser("psa"), owner: h.newUser("pown"), admin: h.newUser("padmin"), kadmin: h.newUser("pkadm"),
			mgr: h.newUser("pmgr"), mgr2: h.newUser("pmgr2"), mem: h.newUser("pmem"), outsider: h.newUser("pout"),
			tm: h.newUser("ptm"), tmg: h.newUser("ptmg"), ta: h.newUser("pta"),
		}
		h.superAdmin(us.sa)
		n, counts := 0, map[int]int{}
		for _, rule := range putRules {
			for ti, target := range putTargets {
				want := rule.want[ti]
				n++
				t.Run(fmt.Sprintf("%s/%s/%s", rule.actor, rule.action, target), func(t *testing.T) {
					w := h.putWorld(us, n)
					actorUser := map[string]*user{
						"super_admin": us.sa, "admin": us.admin, "team_manager": us.mgr, "other_manager": us.mgr2,
						"member": us.mem, "outsider": us.outsider, "key_write": us.kadmin, "key_read": us.kadmin,
					}[rule.actor]
					cred := actorUser.auth()
					switch rule.actor {
					case "key_write":
						cred = apiKey(w.keyWrite)
					case "key_read":
						cred = apiKey(w.keyRead)
					}
					tgt := map[string]*user{"member": us.tm, "manager": us.tmg, "admin": us.ta, "self": actorUser}[target]
					before := h.membershipRow(w.a, tgt.ID)
					beforeD := h.membershipRow(w.d, tgt.ID)
					origRole := "member"
					if before != nil {
						origRole = before.Role
					}
					var body map[string]any
					switch rule.action {
					case "role":
						newRole := "member"
						if origRole == "member" {
							newRole = "manager"
						}
						body = map[string]any{"role": newRole}
					case "team":
						body = map[string]any{"team_id": w.t2}
					case "transfer":
						body = map[string]any{"organization_id": w.d}
					case "transfer-no-rights":
						body = map[string]any{"organization_id": w.e}
					case "transfer-wrong-team":
						body = map[string]any{"organization_id": w.d, "team_id": w.t1}
					}
					r := h.raw("PUT", orgPath(w.a, "/members/", tgt.ID), body, cred).expect(t, want)
					after, afterD := h.membershipRow(w.a, tgt.ID), h.membershipRow(w.d, tgt.ID)
					if want != 200 {
						code := map[int]string{403: "forbidden", 404: "not_found", 409: "already_member"}[want]
						if rule.actor == "key_read" {
							code = "INSUFFICIENT_API_KEY_SCOPE"
						}
						if got := r.errorBody(t).Error; got != code {
							t.Errorf("error %q, want %q", got, code)
						}
						if rowString(after) != rowString(before) || rowString(afterD) != rowString(beforeD) {
							t.Fatalf("refused PUT changed rows: A %s → %s, D %s → %s",
								rowString(before), rowString(after), rowString(beforeD), rowString(afterD))
						}
						return
					}
					var m api.MemberResponse
					r.decode(t, &m)
					var wantA, wantD, wantResp string
					switch rule.action {
					case "role":
						wantA, wantD = body["role"].(string)+"/"+w.t1, rowString(beforeD)
						wantResp = wantA
					case "team":
						wantA, wantD = origRole+"/"+w.t2, rowString(beforeD)
						wantResp = wantA
					case "transfer", "transfer-no-rights":
						wantA, wantD = "none", origRole+"/-"
						if rule.action == "transfer-no-rights" {
							wantD = "none" // the member lands in E
							if got := rowString(h.membershipRow(w.e, tgt.ID)); got != origRole+"/-" {
								t.Fatalf("E row %s", got)
							}
						}
						wantResp = origRole + "/-"
					}
					if rowString(after) != wantA || rowString(afterD) != wantD {
						t.Fatalf("rows: A %s (want %s), D %s (want %s)", rowString(after), wantA, rowString(afterD), wantD)
					}
					team := "-"
					if m.TeamId.IsSpecified() && !m.TeamId.IsNull() {
						team = m.TeamId.MustGet().String()
					}
					if m.UserId.String() != tgt.ID || string(m.Role)+"/"+team != wantResp || m.Username != tgt.Username {
						t.Fatalf("response %+v, want %s", m, wantResp)
					}
				})
				counts[want]++
			}
		}
		t.Logf("%d cases, by status: %v", n, counts)
	})
}

// TestMemberPutDetails covers the PUT rules the table does not: transfers with a destination
// team or a new role, the last admin, absent and null team_id, and team managers moving
// members in and out of their teams.
func TestMemberPutDetails(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		admin, mgr, m1, m2, m3, other := h.newUser("dadm"), h.newUser("dmgr"), h.newUser("dm1"), h.newUser("dm2"), h.newUser("dm3"), h.newUser("doth")
		a := h.createOrg(admin, "Src").Id.String()
		d := h.createOrg(admin, "Dst").Id.String()
		hidden := h.createOrg(other, "Hidden").Id.String()
		h.addMember(admin, a, mgr, "manager", "")
		t1 := h.createTeam(admin, a, "Mine", mgr).Id.String()
		t2 := h.createTeam(admin, a, "Also mine", mgr).Id.String()
		t3 := h.createTeam(admin, a, "Not mine", nil).Id.String()
		dt := h.createTeam(admin, d, "Dest team", nil).Id.String()
		h.addMember(admin, a, m1, "member", t1)
		h.addMember(admin, a, m2, "member", t3)
		h.addMember(admin, a, m3, "member", "")
		h.addMember(admin, d, m3, "member", "")
		put := func(actor *user, target *user, body map[string]any, status int) api.MemberResponse {
			t.Helper()
			var m api.MemberResponse
			r := h.raw("PUT", orgPath(a, "/members/", target.ID), body, actor.auth()).expect(t, status)
			if status == 200 {
				r.decode(t, &m)
			}
			return m
		}
		row := func(org string, u *user) string { return rowString(h.membershipRow(org, u.ID)) }

		// Team managers: out of their team, between their teams; nothing else.
		put(mgr, m1, map[string]any{"team_id": store.NewID()}, 404)
		put(mgr, m1, map[string]any{"team_id": t3}, 403)
		put(mgr, m1, map[string]any{"team_id": t2}, 200)
		put(mgr, m1, map[string]any{"team_id": nil}, 200)
		if got := row(a, m1); got != "member/-" {
			t.Fatalf("after removal from team: %s", got)
		}
		put(mgr, m1, map[string]any{"team_id": t1}, 403) // m1 is no longer in one of its teams
		put(mgr, m2, map[string]any{"team_id": t1}, 403) // m2 is in a team it does not manage
		put(mgr, m3, map[string]any{"team_id": t1}, 403) // m3 is in no team
		put(mgr, m2, map[string]any{"role": "member"}, 403)

		// Absent team_id keeps the team; organization_id equal to the path is no transfer.
		put(admin, m2, map[string]any{"role": "manager", "organization_id": a}, 200)
		if got := row(a, m2); got != "manager/"+t3 {
			t.Fatalf("role only: %s", got)
		}
		put(admin, m2, map[string]any{"team_id": dt}, 404) // a team of another organization
		put(admin, m2, map[string]any{"organization_id": hidden}, 404)
		put(admin, m2, map[string]any{"organization_id": store.NewID()}, 404)
		if r := h.raw("PUT", orgPath(a, "/members/", m3.ID), map[string]any{"organization_id": d}, admin.auth()).expect(t, 409); r.errorBody(t).Error != "already_member" {
			t.Fatalf("already member: %s", r.Body)
		}

		// A transfer with a destination team and a new role.
		m := put(admin, m2, map[string]any{"organization_id": d, "team_id": dt, "role": "admin"}, 200)
		if m.Role != api.Admin || m.TeamName.MustGet() != "Dest team" || row(a, m2) != "none" || row(d, m2) != "admin/"+dt {
			t.Fatalf("transfer: %+v, rows %s %s", m, row(a, m2), row(d, m2))
		}

		// Transfers of the source's only admin: into an org the caller cannot see (404), into one
		// it already belongs to (409 already_member), by a super_admin (409 last_admin).
		before := h.orgDump()
		h.raw("PUT", orgPath(a, "/members/", admin.ID), map[string]any{"organization_id": hidden}, admin.auth()).expect(t, 404)
		r := h.raw("PUT", orgPath(a, "/members/", admin.ID), map[string]any{"organization_id": d}, admin.auth()).expect(t, 409)
		if r.errorBody(t).Error != "already_member" {
			t.Fatalf("self transfer into an org it belongs to: %s", r.Body)
		}
		sa := h.newUser("dsa")
		h.superAdmin(sa)
		r = h.raw("PUT", orgPath(a, "/members/", admin.ID), map[string]any{"organization_id": hidden}, sa.auth()).expect(t, 409)
		if r.errorBody(t).Error != "last_admin" {
			t.Fatalf("last admin transfer: %s", r.Body)
		}
		if h.orgDump() != before {
			t.Fatal("refused transfer changed rows")
		}
	})
}
