package server_test

import (
	"sync"
	"testing"
	"time"

	api "github.com/xentree/xentree-api/gen"
)

// TestLearningTimeCountsWallClockOnce: a learner's wall-clock minutes are learning time once,
// however many sessions claim them. Sessions in several conversations pinged side by side (in
// turn, and in parallel bursts), a conversation deleted to drop its session's record, and a
// chat session running beside a Live session all add up to at most the time that passed, not
// to a multiple of it.
func TestLearningTimeCountsWallClockOnce(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.clock.Freeze(at("2026-11-10T10:00:00Z"))
		u := h.newUser("farm")
		convs := make([]string, 3)
		for i := range convs {
			convs[i] = h.createConversation(u, nil).Id.String()
			h.session(u, convs[i], "start", nil)
		}
		// Ten minutes, every session pinged each minute: 600 s, not 1800.
		for range 10 {
			h.clock.Advance(time.Minute)
			for _, c := range convs {
				h.session(u, c, "activity", nil)
			}
		}
		// Another minute pinged by every session at once (two of them on another replica).
		other := h.replica()
		h.clock.Advance(time.Minute)
		var wg sync.WaitGroup
		for i := range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				[]*harness{h, other}[i%2].learn(u, convs[i%3], "activity", nil).expect(t, 200)
			}()
		}
		wg.Wait()
		for _, c := range convs {
			h.session(u, c, "end", nil)
		}
		if got := h.learningTime(u).BySource.ChatSession; got != 660 {
			t.Fatalf("11 minutes in 3 parallel sessions recorded %d s, want 660", got)
		}

		// A fresh session beside one pinged for ten minutes; deleting the pinged one's
		// conversation must not hand those minutes to the fresh one.
		h.relogin(u)
		busy, fresh := h.createConversation(u, nil).Id.String(), h.createConversation(u, nil).Id.String()
		h.session(u, busy, "start", nil)
		h.session(u, fresh, "start", nil)
		for range 5 {
			h.clock.Advance(2 * time.Minute)
			h.session(u, busy, "activity", nil)
		}
		h.raw("DELETE", convPath(busy), nil, u.auth()).expect(t, 204)
		if s := h.session(u, fresh, "activity", nil); s.ActiveSeconds != 0 {
			t.Fatalf("after the deletion the fresh session credited %d s of time already counted", s.ActiveSeconds)
		}
		h.session(u, fresh, "end", nil)
		if got := h.learningTime(u).BySource.ChatSession; got != 660+600 {
			t.Fatalf("chat learning time %d s, want %d", got, 660+600)
		}

		// A chat session beside a Live session: the Live minutes are counted once, by Live.
		h.relogin(u)
		c := h.createConversation(u, nil).Id.String()
		h.session(u, c, "start", nil)
		h.clock.Advance(30 * time.Second)
		ls := h.liveStart(u)
		for range 10 {
			h.clock.Advance(30 * time.Second)
			h.liveSession(u, "heartbeat", ls.SessionId.String())
			h.session(u, c, "activity", nil)
		}
		h.liveSession(u, "end", ls.SessionId.String())
		h.clock.Advance(45 * time.Second)
		h.session(u, c, "end", nil)
		// The chat's 30 s before Live started were not credited before Live's first charge
		// moved the user's credited instant past them: conservative, never double.
		lt := h.learningTime(u)
		if lt.BySource.LiveSession != 300 || lt.BySource.ChatSession != 660+600+45 || lt.TotalSeconds != 660+600+300+45 {
			t.Fatalf("chat beside Live: %+v, want 300 s of Live and 45 s more of chat", lt.BySource)
		}
	})
}

func (h *harness) learningTime(u *user) api.LearningTimeAnalyticsResponse {
	h.t.Helper()
	var lt api.LearningTimeAnalyticsResponse
	h.get(u, "/api/xp/learning-time", &lt)
	return lt
}
