package server_test

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"time"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/server"
	"github.com/xentree/xentree-api/store"
)

// learn sends a learning-session request (op: start, activity, end, status) as u.
func (h *harness) learn(u *user, convID, op string, body any) resp {
	h.t.Helper()
	method := "POST"
	if op == "status" {
		method = "GET"
	}
	return h.raw(method, convPath(convID, "/session/"+op), body, u.auth())
}

// session sends op, which must answer 200, and returns the session.
func (h *harness) session(u *user, convID, op string, body any) api.LearningSessionResponse {
	h.t.Helper()
	var s api.LearningSessionResponse
	h.learn(u, convID, op, body).expect(h.t, 200).decode(h.t, &s)
	return s
}

// chatEvents reads the ledger events of a learning session (its idempotency key).
func (h *harness) chatEvents(sessionID string) []map[string]any {
	h.t.Helper()
	var rows []map[string]any
	if err := h.store.DB(context.Background()).Table("xp_events").Where("idempotency_key = ?", "chat_session:"+sessionID).Find(&rows).Error; err != nil {
		h.t.Fatal(err)
	}
	return rows
}

func active(n int) map[string]any { return map[string]any{"active_seconds": n} }

// TestLearningSessionTime: start (twice: the same session), activity credited at most the
// elapsed time (fractions carried), the client's count and the 2-minute cap, so idle gaps and
// inflated counts add nothing; end credits the last stretch and records learning time and XP
// once; ending twice changes nothing; the progress routes show it.
func TestLearningSessionTime(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.clock.Freeze(at("2026-11-10T10:00:00Z"))
		u := h.newUser("learn")
		c := h.createConversation(u, nil).Id.String()
		for _, op := range []string{"status", "activity", "end"} {
			if d := h.learn(u, c, op, nil).expect(t, 404).errorBody(t); d.Message != "Learning session not found" {
				t.Fatalf("%s without a session: %+v", op, d)
			}
		}
		s := h.session(u, c, "start", nil)
		if s.Status != "active" || s.ActiveSeconds != 0 || !s.StartedAt.Equal(at("2026-11-10T10:00:00Z")) || s.CreditCapSeconds != 120 ||
			s.IdleTimeoutSeconds != 900 || s.ExpiresAt.MustGet() != at("2026-11-10T10:15:00Z") || !s.EndedAt.IsNull() || !s.EndReason.IsNull() {
			t.Fatalf("started %+v", s)
		}
		h.clock.Advance(5 * time.Second)
		if again := h.session(u, c, "start", nil); again.SessionId != s.SessionId || again.ActiveSeconds != 0 {
			t.Fatalf("second start %+v", again)
		}
		h.clock.Advance(25 * time.Second)
		steps := []struct {
			advance time.Duration
			body    any
			want    int
		}{
			{0, nil, 30},                               // 30 s elapsed since the start
			{30500 * time.Millisecond, nil, 60},        // 30.5 s: 30 credited, the half second carried
			{45 * time.Second, active(20), 80},         // the client says 20 of 45.5 were active
			{10 * time.Second, active(300), 90},        // an inflated count: at most the 10 s elapsed
			{10 * time.Minute, nil, 210},               // an idle gap: at most the 2-minute cap
			{10 * time.Minute, active(60), 270},        // the client's own count within a gap
			{0, active(300), 270},                      // a second ping at the same instant: nothing
			{2500 * time.Millisecond, struct{}{}, 272}, // an empty body is no count
		}
		for i, st := range steps {
			h.clock.Advance(st.advance)
			h.relogin(u) // access tokens last 15 minutes
			got := h.session(u, c, "activity", st.body)
			if got.ActiveSeconds != st.want || !got.LastActivityAt.Equal(h.store.Now()) || got.ExpiresAt.MustGet() != h.store.Now().Add(15*time.Minute) {
				t.Fatalf("step %d: %+v, want %d active seconds", i, got, st.want)
			}
		}
		h.clock.Advance(28 * time.Second)
		end := h.session(u, c, "end", nil)
		if end.Status != "ended" || end.EndReason.MustGet() != "ended" || end.ActiveSeconds != 300 || !end.EndedAt.MustGet().Equal(h.store.Now()) || !end.ExpiresAt.IsNull() {
			t.Fatalf("end %+v", end)
		}
		h.clock.Advance(time.Minute)
		if twice := h.session(u, c, "end", nil); !reflect.DeepEqual(twice, end) {
			t.Fatalf("ending twice changed the session:\n%+v\n%+v", end, twice)
		}
		if st := h.session(u, c, "status", nil); !reflect.DeepEqual(st, end) {
			t.Fatalf("status %+v", st)
		}
		if d := h.learn(u, c, "activity", nil).expect(t, 409).errorBody(t); d.Error != "learning_session_ended" {
			t.Fatalf("activity after the end: %+v", d)
		}
		ev := h.chatEvents(s.SessionId.String())
		if len(ev) != 1 || toInt(ev[0]["active_seconds"]) != 300 || toInt(ev[0]["base_xp"]) != 10 || ev[0]["source"] != "chat_session" {
			t.Fatalf("ledger %v", ev)
		}

		var prof api.XPProfileResponse
		h.get(u, "/api/xp/profile", &prof)
		if prof.Today.Segments != 10 || prof.TotalXp < 10 {
			t.Fatalf("profile %+v", prof)
		}
		var lt api.LearningTimeAnalyticsResponse
		h.get(u, "/api/xp/learning-time", &lt)
		if lt.BySource.ChatSession != 300 || lt.TotalSeconds != 300 || lt.Daily[len(lt.Daily)-1].Seconds != 300 {
			t.Fatalf("learning time %+v", lt)
		}
		// A new session after the end; an empty one records nothing.
		next := h.session(u, c, "start", nil)
		if next.SessionId == s.SessionId || next.ActiveSeconds != 0 {
			t.Fatalf("next %+v", next)
		}
		if e := h.session(u, c, "end", nil); e.ActiveSeconds != 0 || len(h.chatEvents(next.SessionId.String())) != 0 {
			t.Fatalf("an empty session reached the ledger: %+v", e)
		}
	})
}

func toInt(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case int32:
		return int64(n)
	case int:
		return int64(n)
	case float64:
		return int64(n)
	}
	return -1
}

// TestLearningSessionExpiry: a session idle past the timeout is closed with the time up to its
// last activity, by whichever request sees it first or by the maintenance sweep, and recorded
// once; activity then is 409 expired and start begins a new one; deleting a conversation closes
// its session first, keeping the time learnt.
func TestLearningSessionExpiry(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.clock.Freeze(at("2026-11-10T10:00:00Z"))
		u := h.newUser("expire")
		c := h.createConversation(u, nil).Id.String()
		s := h.session(u, c, "start", nil)
		h.clock.Advance(90 * time.Second)
		h.session(u, c, "activity", nil)
		h.clock.Advance(15 * time.Minute) // exactly at the timeout: still alive
		h.relogin(u)
		if st := h.session(u, c, "status", nil); st.Status != "active" {
			t.Fatalf("at the timeout %+v", st)
		}
		h.clock.Advance(time.Second)
		st := h.session(u, c, "status", nil) // the read closes it
		if st.Status != "ended" || st.EndReason.MustGet() != "idle_timeout" || st.ActiveSeconds != 90 || !st.EndedAt.MustGet().Equal(at("2026-11-10T10:01:30Z")) {
			t.Fatalf("expired %+v", st)
		}
		if d := h.learn(u, c, "activity", active(30)).expect(t, 409).errorBody(t); d.Error != "learning_session_expired" {
			t.Fatalf("activity after expiry %+v", d)
		}
		if e := h.session(u, c, "end", nil); !reflect.DeepEqual(e, st) {
			t.Fatalf("end after expiry changed it: %+v", e)
		}
		if ev := h.chatEvents(s.SessionId.String()); len(ev) != 1 || toInt(ev[0]["active_seconds"]) != 90 {
			t.Fatalf("ledger %v", ev)
		}
		if n := h.session(u, c, "start", nil); n.SessionId == s.SessionId || n.Status != "active" {
			t.Fatalf("start after expiry %+v", n)
		}

		// The sweep closes sessions nobody comes back to.
		c2 := h.createConversation(u, nil).Id.String()
		idle := h.session(u, c2, "start", nil)
		h.clock.Advance(40 * time.Second)
		h.session(u, c2, "activity", nil)
		h.clock.Advance(16 * time.Minute)
		m := server.NewMaintenance(server.Config{}, h.store, h.log)
		m.RunDue(t.Context())
		row := h.learningRow(idle.SessionId.String())
		if row.Status != store.LearningEnded || *row.EndReason != store.LearningReasonIdleTimeout || row.ActiveSeconds != 40 {
			t.Fatalf("swept %+v", row)
		}
		if ev := h.chatEvents(idle.SessionId.String()); len(ev) != 1 {
			t.Fatalf("sweep ledger %v", ev)
		}

		// Deleting a conversation with an active session keeps its learning time.
		h.relogin(u)
		c3 := h.createConversation(u, nil).Id.String()
		del := h.session(u, c3, "start", nil)
		h.clock.Advance(75 * time.Second)
		h.session(u, c3, "activity", nil)
		h.clock.Advance(10 * time.Second)
		h.raw("DELETE", convPath(c3), nil, u.auth()).expect(t, 204)
		if ev := h.chatEvents(del.SessionId.String()); len(ev) != 1 || toInt(ev[0]["active_seconds"]) != 75 {
			t.Fatalf("deleted conversation's session: %v", ev)
		}
		var lt api.LearningTimeAnalyticsResponse
		h.get(u, "/api/xp/learning-time", &lt)
		if lt.BySource.ChatSession != 90+40+75 {
			t.Fatalf("learning time %+v", lt.BySource)
		}
	})
}

func (h *harness) learningRow(id string) store.LearningSession {
	h.t.Helper()
	var s store.LearningSession
	if err := h.store.DB(context.Background()).Where("id = ?", id).Take(&s).Error; err != nil {
		h.t.Fatal(err)
	}
	return s
}

// TestLearningSessionRace: two replicas ending (and pinging) one session at once record it
// exactly once, with the active time the session ended with; every end answers the same ended
// session.
func TestLearningSessionRace(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.clock.Freeze(at("2026-11-10T10:00:00Z"))
		other := h.replica()
		u := h.newUser("race")
		c := h.createConversation(u, nil).Id.String()
		s := h.session(u, c, "start", nil)
		h.clock.Advance(100 * time.Second)

		var wg sync.WaitGroup
		var mu sync.Mutex
		ends := map[int]int{}
		for i := range 24 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				hh := []*harness{h, other}[i%2]
				if i%3 == 0 {
					r := hh.learn(u, c, "activity", nil)
					if r.Status != 200 && r.Status != 409 {
						t.Errorf("activity %d %s", r.Status, r.Body)
					}
					return
				}
				var e api.LearningSessionResponse
				r := hh.learn(u, c, "end", nil)
				if r.Status != 200 {
					t.Errorf("end %d %s", r.Status, r.Body)
					return
				}
				decodeJSON(t, r.Body, &e)
				mu.Lock()
				ends[e.ActiveSeconds]++
				mu.Unlock()
				if e.Status != "ended" {
					t.Errorf("end answered %+v", e)
				}
			}()
		}
		wg.Wait()
		ev := h.chatEvents(s.SessionId.String())
		row := h.learningRow(s.SessionId.String())
		if len(ev) != 1 || len(ends) != 1 || row.ActiveSeconds != 100 || toInt(ev[0]["active_seconds"]) != 100 || ends[100] != 16 {
			t.Fatalf("events %v, ends %v, row %+v", ev, ends, row)
		}
		var lt api.LearningTimeAnalyticsResponse
		h.get(u, "/api/xp/learning-time", &lt)
		if lt.BySource.ChatSession != 100 {
			t.Fatalf("learning time %+v", lt.BySource)
		}
	})
}
