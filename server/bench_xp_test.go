package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xentree/xentree-api/internal/ledger"
	"github.com/xentree/xentree-api/internal/progress"
	"github.com/xentree/xentree-api/store"
)

// Seeded history of the progress benchmarks: 3 years at 20 events a day (one day in nine
// missed, so streaks break and freezes cover).
const (
	benchHistoryDays = 3 * 365
	benchEventsADay  = 20
)

// seedHistory bulk-inserts u's history ending yesterday (UTC) straight into PostgreSQL: the
// events with running totals, then the rollups and the progress row derived from them, as
// the ledger would have left them.
func seedHistory(b *testing.B, h *harness, u *user) {
	b.Helper()
	ctx := context.Background()
	db := h.store.DB(ctx)
	first := progress.Today(h.store.Now(), time.UTC).AddDays(-benchHistoryDays)
	steps := []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO xp_events (id, user_id, idempotency_key, source, kind, base_xp, multiplier_pct, xp, active_seconds,
  tokens, total_xp_after, task_completed, score, session_completed, occurred_at, local_date, timezone, created_at)
SELECT gen_random_uuid(), user_id, key, source, kind, xp, 100, xp, secs, 0, SUM(xp) OVER (ORDER BY at, key), task, score, sess, at, at::date, 'UTC', at
FROM (SELECT ?::uuid AS user_id, 'seed:' || d || ':' || i AS key,
        (ARRAY['chat_session', 'live_session', 'xel_task', 'xel_evaluation'])[1 + i % 4] AS source,
        CASE WHEN i % 3 = 0 THEN 'quiz' ELSE 'segment' END AS kind, 5 + (i * 7 + d) % 20 AS xp, 60 + i * 5 AS secs,
        i % 2 = 0 AS task, CASE WHEN i % 5 = 0 THEN 85.0 END AS score, i % 10 = 0 AS sess,
        ?::date + d + time '06:00' + i * interval '30 minutes' AS at
      FROM generate_series(0, ? - 1) d, generate_series(0, ? - 1) i WHERE d % 9 <> 4) seed`,
			[]any{u.ID, first.String(), benchHistoryDays, benchEventsADay}},
		{`INSERT INTO xp_daily (user_id, local_date, xp, xp_segment, xp_quiz, xp_reward, active_seconds, events,
  tasks_completed, high_scores, sessions_completed)
SELECT user_id, local_date, SUM(xp), SUM(CASE WHEN kind = 'segment' THEN xp ELSE 0 END),
  SUM(CASE WHEN kind = 'quiz' THEN xp ELSE 0 END), 0, SUM(active_seconds), COUNT(*),
  SUM(CASE WHEN task_completed THEN 1 ELSE 0 END), SUM(CASE WHEN score >= 80 THEN 1 ELSE 0 END),
  SUM(CASE WHEN session_completed THEN 1 ELSE 0 END)
FROM xp_events WHERE user_id = ? GROUP BY user_id, local_date`, []any{u.ID}},
		{`INSERT INTO xp_daily_sources (user_id, local_date, source, xp, active_seconds, events)
SELECT user_id, local_date, source, SUM(xp), SUM(active_seconds), COUNT(*) FROM xp_events WHERE user_id = ?
GROUP BY user_id, local_date, source`, []any{u.ID}},
		{"ANALYZE", nil},
	}
	for _, s := range steps {
		if err := db.Exec(s.sql, s.args...).Error; err != nil {
			b.Fatalf("seed: %v", err)
		}
	}
	err := h.store.Tx(ctx, func(tx *store.Store) error {
		p, _, err := tx.LockXPProgress(ctx, u.ID)
		if err != nil {
			return err
		}
		days, err := tx.ActiveXPDates(ctx, u.ID)
		if err != nil {
			return err
		}
		s, covered := progress.Replay(days)
		if err := tx.CoverXPDays(ctx, u.ID, covered, true); err != nil {
			return err
		}
		if err := tx.DB(ctx).Raw("SELECT COALESCE(SUM(xp), 0) FROM xp_events WHERE user_id = ?", u.ID).Scan(&p.TotalXP).Error; err != nil {
			return err
		}
		last := s.Last
		p.Tokens = int64(progress.LevelUpTokens(0, p.TotalXP))
		p.StreakCurrent, p.StreakLongest, p.StreakLast, p.FreezesHeld, p.FreezesUsed = s.Current, s.Longest, &last, s.Freezes, s.FreezesUsed
		return tx.SaveXPProgress(ctx, p)
	})
	if err != nil {
		b.Fatalf("seed progress: %v", err)
	}
	if n := h.countRows("xp_events", "user_id = ?", u.ID); n < benchHistoryDays*benchEventsADay*8/9-benchEventsADay {
		b.Fatalf("seeded %d events", n)
	}
}

// measure runs b.N calls of do from clients goroutines and reports throughput and latency
// percentiles.
func measure(b *testing.B, clients int, do func() error) {
	var next atomic.Int64
	lat := make([][]time.Duration, clients)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				t0 := time.Now()
				if err := do(); err != nil {
					b.Error(err)
					return
				}
				lat[c] = append(lat[c], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	all := slices.Concat(lat...)
	slices.Sort(all)
	pct := func(p float64) float64 { return float64(all[int(p*float64(len(all)-1))].Microseconds()) / 1000 }
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "req/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// BenchmarkProgress (PostgreSQL): one user with 3 years of history at 20 events a day. The
// four read routes at 1, 8 and 64 concurrent clients through the whole stack (JWT and session
// check, validation, handler, rollup reads, JSON); the learning pulse computed in the ledger
// from the rollups and, as the baseline, from the raw events; and writing one event with its
// rollups (p50/p99 of sequential awards).
func BenchmarkProgress(b *testing.B) {
	if os.Getenv(envPostgresURL) == "" {
		b.Skipf("set %s to run on PostgreSQL", envPostgresURL)
	}
	h := newHarness(b, "postgres", manyLogins)
	// Access logs formatted as in production but discarded, instead of piling up in the
	// harness's in-memory buffer (a mutex and an ever-growing allocation shared by every client).
	h.log = slog.New(slog.NewJSONHandler(io.Discard, nil))
	h.restart(manyLogins)
	h.at(noon(2026, 11, 27))
	u := h.newUser("benchxp")
	seedTime := time.Now()
	seedHistory(b, h, u)
	b.Logf("seeded %d events in %s", h.countRows("xp_events", "user_id = ?", u.ID), time.Since(seedTime).Round(time.Millisecond))

	serve := func(path string) func() error {
		return func() error {
			req := httptest.NewRequest("GET", path, nil)
			req.RemoteAddr = h.remoteAddr
			req.Header.Set("Authorization", "Bearer "+u.Access)
			rec := httptest.NewRecorder()
			h.e.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				return fmt.Errorf("%s: %d %s", path, rec.Code, rec.Body)
			}
			return nil
		}
	}
	l := ledger.New(h.store)
	ctx := context.Background()
	pulse := func(compute func(context.Context, string, *time.Location) (ledger.Pulse, error)) func() error {
		return func() error {
			p, err := compute(ctx, u.ID, time.UTC)
			if err == nil && len(p.Days) != 365 {
				err = fmt.Errorf("%d days", len(p.Days))
			}
			if err == nil {
				_, err = json.Marshal(p)
			}
			return err
		}
	}
	cases := []struct {
		name string
		do   func() error
	}{
		{"http/learning-pulse", serve("/api/xp/learning-pulse")},
		{"http/profile", serve("/api/xp/profile")},
		{"http/streak-status", serve("/api/xp/streak-status")},
		{"http/weekly-activity", serve("/api/xp/weekly-activity")},
		{"ledger/pulse-from-rollups", pulse(l.Pulse)},
		{"ledger/pulse-from-raw-events", pulse(l.PulseFromEvents)},
	}
	for _, c := range cases {
		for _, clients := range []int{1, 8, 64} {
			b.Run(fmt.Sprintf("%s/clients=%d", c.name, clients), func(b *testing.B) {
				measure(b, clients, c.do)
			})
		}
	}
	// The HTTP pulse must say what the raw events say.
	a, _ := l.Pulse(ctx, u.ID, time.UTC)
	r, _ := l.PulseFromEvents(ctx, u.ID, time.UTC)
	if fmt.Sprint(a) != fmt.Sprint(r) || a.ActiveDays < 300 {
		b.Fatalf("rollup pulse differs from the raw events (%d active days)", a.ActiveDays)
	}

	var seq atomic.Int64
	b.Run("ledger/award-event", func(b *testing.B) {
		measure(b, 1, func() error {
			_, err := l.Award(ctx, nil, u.ID, ledger.Event{Source: ledger.SourceXELTask, Kind: ledger.KindQuiz, BaseXP: 10,
				ActiveSeconds: 30, TaskCompleted: true, IdempotencyKey: fmt.Sprintf("bench:%d", seq.Add(1))})
			return err
		})
	})
}
