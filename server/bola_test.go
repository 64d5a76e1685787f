package server_test

import (
	"strings"
	"testing"

	"github.com/xentree/xentree-api/store"
)

// TestBOLA: for every route with {org_id}, a user of another organization (by bearer token or
// by its organization's API key) and a user of no organization get 404 with a body naming
// nothing of the victim organization, exactly the body a nonexistent organization gets, and no
// row changes. Cross-organization references made from the attacker's own organization fail
// the same way.
func TestBOLA(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		va, vm := h.newUser("victimadmin"), h.newUser("victimtarget")
		victim := h.createOrg(va, "Zeta Victim Holdings")
		a := victim.Id.String()
		vt := h.createTeam(va, a, "Zeta Secret Team", va)
		h.addMember(va, a, vm, "member", vt.Id.String())

		x, xb, outsider := h.newUser("attacker"), h.newUser("attackerpal"), h.newUser("nobody")
		b := h.createOrg(x, "Attacker Org").Id.String()
		h.addMember(x, b, xb, "member", "")
		key, _ := h.newKey(x, b, []string{"organizations:read", "organizations:write"})

		secrets := []string{a, victim.Name, victim.Slug, vt.Id.String(), vt.Name, vm.ID, vm.Username, vm.Email, va.ID, va.Username}
		team, target := vt.Id.String(), vm.ID
		routes := []struct {
			method, path string
			body         map[string]any
		}{
			{"GET", "", nil},
			{"PATCH", "", map[string]any{"name": "pwned"}},
			{"DELETE", "", nil},
			{"GET", "/members", nil},
			{"POST", "/members", map[string]any{"user_id": x.ID, "role": "admin"}},
			{"PATCH", "/members/" + target, map[string]any{"role": "admin"}},
			{"PUT", "/members/" + target, map[string]any{"role": "admin", "team_id": nil}},
			{"DELETE", "/members/" + target, nil},
			{"GET", "/teams", nil},
			{"POST", "/teams", map[string]any{"name": "pwn team"}},
			{"GET", "/teams/" + team, nil},
			{"PATCH", "/teams/" + team, map[string]any{"name": "pwned", "manager_user_id": nil}},
			{"DELETE", "/teams/" + team, nil},
		}
		callers := []struct {
			name string
			cred header
		}{
			{"other org's admin", x.auth()},
			{"other org's API key", apiKey(key)},
			{"outsider", outsider.auth()},
		}
		clean := func(t *testing.T, r resp) {
			t.Helper()
			r.errorBody(t)
			for _, s := range secrets {
				if strings.Contains(strings.ToLower(string(r.Body)), strings.ToLower(s)) {
					t.Errorf("body leaks %q: %s", s, r.Body)
				}
			}
		}
		for _, c := range callers {
			for _, rt := range routes {
				t.Run(c.name+"/"+rt.method+" "+strings.ReplaceAll(rt.path, target, "{target}"), func(t *testing.T) {
					before := h.orgDump()
					r := h.raw(rt.method, orgPath(a, rt.path), rt.body, c.cred).expect(t, 404)
					clean(t, r)
					ghost := h.raw(rt.method, orgPath(store.NewID(), rt.path), rt.body, c.cred).expect(t, 404)
					if string(ghost.Body) != string(r.Body) {
						t.Errorf("existing org answers %s, a nonexistent one %s", r.Body, ghost.Body)
					}
					if h.orgDump() != before {
						t.Fatal("rows changed")
					}
				})
			}
		}

		// From inside its own organization, the attacker cannot reach into the victim's.
		pal := h.newUser("attackerpal2")
		for _, c := range []struct {
			name, method, path string
			body               map[string]any
			status             int
		}{
			{"transfer into victim org", "PUT", orgPath(b, "/members/", xb.ID), map[string]any{"organization_id": a}, 404},
			{"transfer into victim org with its team", "PUT", orgPath(b, "/members/", xb.ID), map[string]any{"organization_id": a, "team_id": team}, 404},
			{"assign victim's team", "PUT", orgPath(b, "/members/", xb.ID), map[string]any{"team_id": team}, 404},
			{"victim member via own org", "PUT", orgPath(b, "/members/", target), map[string]any{"organization_id": b}, 404},
			{"victim member role via own org", "PATCH", orgPath(b, "/members/", target), map[string]any{"role": "member"}, 404},
			{"remove victim member via own org", "DELETE", orgPath(b, "/members/", target), nil, 404},
			{"add with victim's team", "POST", orgPath(b, "/members"), map[string]any{"user_id": pal.ID, "team_id": team}, 404},
			{"victim team via own org", "GET", orgPath(b, "/teams/", team), nil, 404},
			{"patch victim team via own org", "PATCH", orgPath(b, "/teams/", team), map[string]any{"name": "pwned"}, 404},
			{"delete victim team via own org", "DELETE", orgPath(b, "/teams/", team), nil, 404},
			{"victim admin as manager", "POST", orgPath(b, "/teams"), map[string]any{"name": "T", "manager_user_id": va.ID}, 422},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := h.orgDump()
				clean(t, h.raw(c.method, c.path, c.body, x.auth()).expect(t, c.status))
				if h.orgDump() != before {
					t.Fatal("rows changed")
				}
			})
		}
		// Filtering by the victim's team shows nothing.
		r := h.raw("GET", orgPath(b, "/members?team_id=", team), nil, x.auth()).expect(t, 200)
		if strings.TrimSpace(string(r.Body)) != "[]" {
			t.Fatalf("filter by foreign team: %s", r.Body)
		}
	})
}
