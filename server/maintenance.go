package server

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/xentree/xentree-api/store"
)

// sessionRetention is how long expired or revoked sessions stay for audit before pruning.
const sessionRetention = 7 * 24 * time.Hour

// Job is a periodic maintenance task of the deployment: pruning, expiring idle sessions.
type Job struct {
	// Name identifies the job across replicas (its run record and lock); unique.
	Name string
	// Every is the interval between runs, whichever replica does them.
	Every time.Duration
	// Run does the work through tx, inside the job's transaction (a failure leaves nothing
	// half done and the job due), and returns how many rows it changed. It must be
	// idempotent and short: one transaction, bounded by the statement timeout.
	Run func(ctx context.Context, tx *store.Store) (int64, error)
}

// Maintenance runs the registered jobs on behalf of the whole deployment: each at most once
// per interval across all replicas, never on two at once (store.RunJob: an advisory lock on
// PostgreSQL, a recorded last run on both databases).
//
// Adding a job: write its Run in the area's file (a store method doing one bounded UPDATE or
// DELETE, say) and register it in NewMaintenance with a unique name and its interval. Every
// replica registers the same jobs; Run below ticks often enough for the shortest interval.
type Maintenance struct {
	st   *store.Store
	log  *slog.Logger
	jobs []Job
}

// NewMaintenance returns the runner with the server's jobs registered.
func NewMaintenance(cfg Config, st *store.Store, log *slog.Logger) *Maintenance {
	cfg.defaults()
	m := &Maintenance{st: st, log: log}
	m.Register(Job{Name: "prune-rate-limits", Every: 10 * time.Minute, Run: func(ctx context.Context, tx *store.Store) (int64, error) {
		// Closed windows only: the longest window is an hour (registrations).
		return tx.PruneRateLimits(ctx, 2*max(cfg.LoginWindow, time.Hour))
	}})
	m.Register(Job{Name: "prune-sessions", Every: 10 * time.Minute, Run: func(ctx context.Context, tx *store.Store) (int64, error) {
		return tx.PruneSessions(ctx, sessionRetention)
	}})
	m.Register(learningSweep(cfg, st))
	return m
}

// Register adds j. A job without a name or interval, or with a name taken, is a programming
// error.
func (m *Maintenance) Register(j Job) {
	if j.Name == "" || j.Every <= 0 || j.Run == nil {
		panic(fmt.Sprintf("maintenance job %q needs a name, an interval and a Run", j.Name))
	}
	for _, o := range m.jobs {
		if o.Name == j.Name {
			panic("maintenance job registered twice: " + j.Name)
		}
	}
	m.jobs = append(m.jobs, j)
}

// RunDue runs, in registration order, every job that is due and that no other replica is
// running, and returns how many ran here. A failed job is logged and stays due.
func (m *Maintenance) RunDue(ctx context.Context) int {
	ran := 0
	for _, j := range m.jobs {
		did, n, err := m.st.RunJob(ctx, j.Name, j.Every, func(tx *store.Store) (int64, error) { return j.Run(ctx, tx) })
		switch {
		case err != nil && ctx.Err() == nil:
			m.log.WarnContext(ctx, "maintenance job failed", "job", j.Name, "err", err)
		case did:
			ran++
			if n > 0 {
				m.log.InfoContext(ctx, "maintenance job done", "job", j.Name, "rows", n)
			}
		}
	}
	return ran
}

// Run calls RunDue at once and then every tick until ctx ends.
func (m *Maintenance) Run(ctx context.Context, tick time.Duration) {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		m.RunDue(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
