package server_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/xentree/xentree-api/store"
)

// TestRateLimitWindows: hits count up inside a window, concurrent hits are never lost, and a
// closed window starts again at one.
func TestRateLimitWindows(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		var wg sync.WaitGroup
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, _, err := h.store.HitRateLimit(ctx, "b", time.Minute); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		n, reset, err := h.store.HitRateLimit(ctx, "b", time.Minute)
		if err != nil || n != 21 {
			t.Fatalf("count %d (%v), want 21", n, err)
		}
		if d := time.Until(reset); d <= 0 || d > time.Minute {
			t.Fatalf("window closes in %v", d)
		}
		h.store.DB(ctx).Model(&store.RateLimit{}).Where("bucket = ?", "b").Update("window_start", h.store.Now().Add(-2*time.Minute))
		if n, _, _ := h.store.HitRateLimit(ctx, "b", time.Minute); n != 1 {
			t.Fatalf("closed window counted on: %d", n)
		}
		if err := h.store.ResetRateLimit(ctx, "b"); err != nil {
			t.Fatal(err)
		}
		if n, _, _ := h.store.HitRateLimit(ctx, "b", time.Minute); n != 1 {
			t.Fatalf("after reset: %d", n)
		}
	})
}
