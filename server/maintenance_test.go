package server_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xentree/xentree-api/server"
	"github.com/xentree/xentree-api/store"
)

// TestMaintenanceOncePerInterval: replicas running maintenance at the same moment run each job
// once per interval between them; on PostgreSQL a replica that finds a job running skips it
// at once instead of waiting.
func TestMaintenanceOncePerInterval(t *testing.T) {
	eachDB(t, func(t *testing.T, a *harness) {
		ctx := context.Background()
		b := a.replica()
		var runs atomic.Int64
		count := server.Job{Name: "test-count", Every: 10 * time.Minute, Run: func(context.Context, *store.Store) (int64, error) {
			runs.Add(1)
			return 0, nil
		}}
		ma, mb := server.NewMaintenance(server.Config{}, a.store, a.log), server.NewMaintenance(server.Config{}, b.store, b.log)
		ma.Register(count)
		mb.Register(count)
		round := func() {
			var wg sync.WaitGroup
			for i := 0; i < 8; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					[]*server.Maintenance{ma, mb}[i%2].RunDue(ctx)
				}()
			}
			wg.Wait()
		}
		round()
		if n := runs.Load(); n != 1 {
			t.Fatalf("job ran %d times in one interval", n)
		}
		a.clock.Advance(9 * time.Minute)
		round()
		if n := runs.Load(); n != 1 {
			t.Fatalf("job ran again before its interval: %d", n)
		}
		a.clock.Advance(2 * time.Minute)
		round()
		if n := runs.Load(); n != 2 {
			t.Fatalf("job ran %d times after two intervals", n)
		}
		if a.kind != "postgres" {
			return
		}
		started, release := make(chan struct{}), make(chan struct{})
		var slow atomic.Int64
		block := func(wait bool) server.Job {
			return server.Job{Name: "test-block", Every: time.Minute, Run: func(context.Context, *store.Store) (int64, error) {
				slow.Add(1)
				if wait {
					close(started)
					<-release
				}
				return 0, nil
			}}
		}
		only := func(h *harness, j server.Job) *server.Maintenance {
			m := server.NewMaintenance(server.Config{}, h.store, h.log)
			m.Register(j)
			return m
		}
		first, second := only(a, block(true)), only(b, block(false))
		done := make(chan struct{})
		go func() { first.RunDue(ctx); close(done) }()
		<-started
		begin := time.Now()
		second.RunDue(ctx)
		if waited := time.Since(begin); waited > 2*time.Second || slow.Load() != 1 {
			t.Fatalf("second replica waited %v, runs %d", waited, slow.Load())
		}
		close(release)
		<-done
	})
}

// TestMigrationBoundsStoredExpiries: keys stored before expiries were bounded, with a year
// past 9999 in UTC, get the 5-year maximum when migration 3 runs, so their organization's
// key list can be read again.
func TestMigrationBoundsStoredExpiries(t *testing.T) {
	for _, kind := range dbKinds {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			st, err := store.Open(ctx, databaseURL(t, kind), quietLogger())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = st.Close() })
			if err := st.MigrateTo(ctx, 2); err != nil {
				t.Fatal(err)
			}
			u := &store.User{Username: "old_key_owner", Email: "old@example.com", PasswordHash: "x"}
			if err := st.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			o := &store.Organization{Name: "Old Org"}
			if err := st.CreateOrganization(ctx, o, u.ID); err != nil {
				t.Fatal(err)
			}
			far := map[string]string{"postgres": "10000-01-01 13:59:59+00", "sqlite": "10000-01-01 13:59:59+00:00"}[kind]
			if err := st.DB(ctx).Exec(`INSERT INTO api_keys (id, name, prefix, key_hash, organization_id, created_by, scopes, allowed_ips, expires_at, created_at)
VALUES (?, 'old', 'xntr-old', 'hash', ?, ?, '["xel:read"]', '[]', ?, ?)`, store.NewID(), o.ID, u.ID, far, st.Now()).Error; err != nil {
				t.Fatal(err)
			}
			if _, err := st.ListAPIKeys(ctx, u.ID, 50, 0); err == nil && kind == "sqlite" {
				t.Fatal("the unreadable row is read before the migration: the test proves nothing")
			}
			if err := st.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			keys, err := st.ListAPIKeys(ctx, u.ID, 50, 0)
			if err != nil || len(keys) != 1 || keys[0].ExpiresAt == nil {
				t.Fatalf("after migration: %v %v", keys, err)
			}
			want := time.Now().AddDate(5, 0, 0)
			if d := keys[0].ExpiresAt.Sub(want); d < -time.Hour || d > time.Hour {
				t.Fatalf("expires_at %v, want about %v", keys[0].ExpiresAt, want)
			}
		})
	}
}
