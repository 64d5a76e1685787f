package server_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/xentree/xentree-api/store"
)

// TestConcurrentMigrations: replicas starting together on a fresh database all come up; the
// migrations run once (SQLite serializes writers; PostgreSQL takes an advisory lock).
func TestConcurrentMigrations(t *testing.T) {
	for _, kind := range dbKinds {
		t.Run(kind, func(t *testing.T) {
			url := databaseURL(t, kind)
			ctx := context.Background()
			var wg sync.WaitGroup
			errs := make([]error, 3)
			for i := range errs {
				st, err := store.Open(ctx, url, quietLogger())
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = st.Close() })
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = st.Migrate(ctx)
				}()
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("replica %d: %v", i, err)
				}
			}
		})
	}
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
