package server

import (
	"context"
	"log/slog"
	"time"

	"github.com/xentree/xentree-api/store"
)

// sessionRetention is how long expired or revoked sessions stay for audit before pruning.
const sessionRetention = 7 * 24 * time.Hour

// Maintain prunes closed rate-limit windows and long-dead sessions every interval until ctx
// ends. Every replica may run it: the deletes are idempotent.
func Maintain(ctx context.Context, cfg Config, st *store.Store, log *slog.Logger, interval time.Duration) {
	cfg.defaults()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		PruneOnce(ctx, cfg, st, log)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// PruneOnce runs one maintenance pass.
func PruneOnce(ctx context.Context, cfg Config, st *store.Store, log *slog.Logger) {
	cfg.defaults()
	if n, err := st.PruneRateLimits(ctx, 2*max(cfg.LoginWindow, time.Hour)); err != nil && ctx.Err() == nil {
		log.Warn("prune rate limits", "err", err)
	} else if n > 0 {
		log.Info("pruned rate-limit buckets", "count", n)
	}
	if n, err := st.PruneSessions(ctx, sessionRetention); err != nil && ctx.Err() == nil {
		log.Warn("prune sessions", "err", err)
	} else if n > 0 {
		log.Info("pruned sessions", "count", n)
	}
}
