package server_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/store"
)

// TestLiveQuotaRace: two app instances on one database, 200 concurrent starts, heartbeats and
// ends for a user 30 seconds short of the limit while the clock moves 100 seconds. Usage never
// goes over the quota, every charged second is in both the usage table and a session, no second
// is charged twice, and there is never more than one active session; concurrent starts of a
// fresh user have exactly one winner.
func TestLiveQuotaRace(t *testing.T) {
	eachDB(t, func(t *testing.T, a *harness) {
		b := a.replica(liveQuota(10 * time.Minute))
		apps := []*harness{a, b}
		a.clock.Freeze(at("2026-11-20T12:00:00Z"))
		period := at("2026-11-01T00:00:00Z")
		ctx := context.Background()

		// A fresh user's concurrent starts through both replicas: one session, the rest 409.
		f := a.newUser("race_fresh")
		var mu sync.Mutex
		statuses := map[int]int{}
		var wg sync.WaitGroup
		for i := range 100 {
			wg.Go(func() {
				r := apps[i%2].raw("POST", "/api/live/session/start", map[string]any{"session_type": "voice"}, f.auth())
				mu.Lock()
				statuses[r.Status]++
				mu.Unlock()
			})
		}
		wg.Wait()
		if statuses[201] != 1 || statuses[409] != 99 {
			t.Fatalf("concurrent starts: %v", statuses)
		}

		// A user close to the limit: 570 of 600 seconds used.
		u := a.newUser("race")
		a.seedUsage(u.ID, period, 570)
		first := a.liveStart(u)
		var current = first.SessionId.String()
		clear(statuses)
		const requests = 200
		for i := range requests {
			wg.Go(func() {
				app := apps[i%2]
				// Time moves as requests complete, so sessions live, charge and run out mid-burst.
				defer a.clock.Advance(500 * time.Millisecond)
				mu.Lock()
				id := current
				mu.Unlock()
				var r resp
				switch i % 10 {
				case 0, 1, 2:
					r = app.raw("POST", "/api/live/session/start", map[string]any{"session_type": "voice"}, u.auth())
					var s api.LiveSessionResponse
					if r.Status == 201 && json.Unmarshal(r.Body, &s) == nil {
						mu.Lock()
						current = s.SessionId.String()
						mu.Unlock()
					}
				case 9:
					r = app.live(u, "end", id)
				default:
					r = app.live(u, "heartbeat", id)
				}
				mu.Lock()
				statuses[r.Status]++
				mu.Unlock()
				if r.Status >= 500 || r.Status == 400 || r.Status == 404 {
					t.Errorf("request %d: %d %s", i, r.Status, r.Body)
				}
			})
			if i%50 == 0 { // and someone is looking all the while
				var active int64
				a.store.DB(ctx).Model(&store.LiveSession{}).Where("user_id = ? AND status = ?", u.ID, store.LiveActive).Count(&active)
				if active > 1 {
					t.Errorf("%d active sessions", active)
				}
			}
		}
		wg.Wait()
		// Finish: end whatever is still open, then use up what remains in one long session.
		a.clock.Advance(time.Second)
		a.live(u, "end", current)
		if r := b.raw("POST", "/api/live/session/start", map[string]any{"session_type": "voice"}, u.auth()); r.Status == 201 {
			var s api.LiveSessionResponse
			r.decode(t, &s)
			for range 3 {
				a.clock.Advance(30 * time.Second)
				if hb := b.live(u, "heartbeat", s.SessionId.String()); hb.Status == 429 {
					break
				}
			}
		}

		var sessions []store.LiveSession
		if err := a.store.DB(ctx).Where("user_id = ?", u.ID).Find(&sessions).Error; err != nil {
			t.Fatal(err)
		}
		var charged int64
		active := 0
		for _, s := range sessions {
			charged += s.UsedSeconds
			if s.Status == store.LiveActive {
				active++
			}
			// A session is never charged more than the time it covered.
			if span := int64(s.ChargedUntil.Sub(s.StartedAt) / time.Second); s.UsedSeconds > span {
				t.Errorf("session %s charged %d s over %d s", s.ID, s.UsedSeconds, span)
			}
		}
		used := a.usage(u.ID)["2026-11-01T00:00:00Z"]
		t.Logf("%d sessions, statuses %v, usage %d", len(sessions), statuses, used)
		if used > 600 {
			t.Fatalf("usage %d over the 600 s quota", used)
		}
		if used != 570+charged {
			t.Fatalf("usage %d, sessions charged %d: usage and sessions disagree", used, charged)
		}
		if active != 0 {
			t.Fatalf("%d sessions left active after the final end", active)
		}
		if used != 600 {
			t.Fatalf("the quota was never used up: usage %d", used)
		}
		if q := b.quota(u); q.RemainingSeconds != 0 {
			t.Fatalf("remaining %d", q.RemainingSeconds)
		}
		expectQuotaExceeded(t, b.raw("POST", "/api/live/session/start", map[string]any{"session_type": "voice"}, u.auth()),
			int(at("2026-12-01T00:00:00Z").Sub(a.clock.Now())/time.Second))
	}, liveQuota(10*time.Minute))
}
