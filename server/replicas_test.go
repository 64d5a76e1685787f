package server_test

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"testing"

	"github.com/xentree/xentree-api/server"
	"github.com/xentree/xentree-api/store"
)

// TestReplicasShareState: two servers with their own connection pools on one database behave
// as one: sessions, logout, refresh rotation races, login throttles and the last-admin rule
// hold across them, since no state that matters lives in process memory.
func TestReplicasShareState(t *testing.T) {
	eachDB(t, func(t *testing.T, a *harness) {
		b := a.replica(func(c *server.Config) { c.LoginAccountLimit = 3 })
		u := a.newUser("rep")
		b.raw("GET", "/api/auth/me", nil, u.auth()).expect(t, 200)

		// Refresh races split across replicas still leave exactly one winner.
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok := 0
		for i := 0; i < 10; i++ {
			wg.Add(1)
			go func(h *harness) {
				defer wg.Done()
				if h.raw("POST", "/api/auth/refresh", map[string]any{"refresh_token": u.Refresh}).Status == 200 {
					mu.Lock()
					ok++
					mu.Unlock()
				}
			}([]*harness{a, b}[i%2])
		}
		wg.Wait()
		if ok != 1 {
			t.Fatalf("%d winners across replicas", ok)
		}

		// A throttle counted on one replica binds the other.
		v := a.newUser("rep_thr")
		for i := 0; i < 3; i++ {
			a.raw("POST", "/api/auth/login", url.Values{"username": {v.Username}, "password": {"bad-password"}}).expect(t, 401)
		}
		// b's limit is 3: the account's bucket is full, so even the right password is refused.
		b.raw("POST", "/api/auth/login", url.Values{"username": {v.Username}, "password": {v.Password}}).expect(t, 401)

		// Logout on one replica ends the session on the other.
		w := a.newUser("rep_out")
		b.raw("POST", "/api/auth/logout", nil, w.auth()).expect(t, 204)
		a.raw("GET", "/api/auth/me", nil, w.auth()).expect(t, 401)

		// The only two admins step down at the same moment through different replicas (one
		// demotes itself, the other leaves): each alone is allowed, together one must fail.
		for round := 0; round < 10; round++ {
			x, y := a.newUser(fmt.Sprintf("rx%d", round)), a.newUser(fmt.Sprintf("ry%d", round))
			org := a.createOrg(x, "Replica Org").Id.String()
			a.seedMembership(org, y, store.OrgAdmin, "")
			var wg sync.WaitGroup
			wg.Add(2)
			go func() {
				defer wg.Done()
				a.raw("PATCH", "/api/organizations/"+org+"/members/"+x.ID, map[string]any{"role": "member"}, x.auth())
			}()
			go func() {
				defer wg.Done()
				b.raw("DELETE", "/api/organizations/"+org+"/members/"+y.ID, nil, y.auth())
			}()
			wg.Wait()
			var admins int64
			a.store.DB(context.Background()).Model(&store.Membership{}).Where("organization_id = ? AND role = ?", org, store.OrgAdmin).Count(&admins)
			if admins != 1 {
				t.Fatalf("round %d: %d admins left, want exactly 1", round, admins)
			}
		}
	}, func(c *server.Config) { c.LoginAccountLimit = 3 })
}
