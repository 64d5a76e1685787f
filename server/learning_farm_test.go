package server_test

import (
	"sync"
	"testing"
	"time"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/internal/xel"
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

// TestXELTimeCountsWallClockOnce: a submission's claimed duration is learning time only for
// wall-clock time no other submission or session has counted: parallel submissions of
// different tasks share the time since the last one instead of each claiming all of it, and a
// submission made while a chat session was being credited claims none of those minutes.
func TestXELTimeCountsWallClockOnce(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.clock.Freeze(at("2026-11-10T09:00:00Z"))
		u := h.newUser("xelfarm")
		type pick struct {
			m    *xel.Module
			task *xel.Task
		}
		var tasks []pick
		for _, m := range builtin(t).Modules() {
			for _, task := range m.Tasks {
				if !task.Evaluated() && len(tasks) < 7 {
					tasks = append(tasks, pick{m, task})
				}
			}
		}
		first := tasks[0]
		h.submit(u, first.m, first.task, map[string]any{"answer": wrongAnswer(first.task), "duration_seconds": 60}).expect(t, 201)
		h.clock.Advance(time.Hour)
		h.relogin(u)
		var wg sync.WaitGroup
		for _, p := range tasks[1:] {
			wg.Add(1)
			go func() {
				defer wg.Done()
				h.submit(u, p.m, p.task, map[string]any{"answer": wrongAnswer(p.task), "duration_seconds": 600}).expect(t, 201)
			}()
		}
		wg.Wait()
		if got := h.learningTime(u).BySource.XelTask; got != 60+600 {
			t.Fatalf("6 parallel submissions an hour after the last recorded %d s, want %d", got-60, 600)
		}

		// Ten minutes credited to a chat session, then a submission claiming them.
		h.relogin(u)
		c := h.createConversation(u, nil).Id.String()
		h.session(u, c, "start", nil)
		for range 5 {
			h.clock.Advance(2 * time.Minute)
			h.session(u, c, "activity", nil)
		}
		h.submit(u, first.m, first.task, map[string]any{"answer": wrongAnswer(first.task), "duration_seconds": 600}).expect(t, 201)
		h.session(u, c, "end", nil)
		lt := h.learningTime(u)
		if lt.BySource.ChatSession != 600 || lt.BySource.XelTask != 660 || lt.TotalSeconds != 1260 {
			t.Fatalf("a submission claiming the chat's minutes: %+v, want 600 s of chat and no more XEL time", lt.BySource)
		}
	})
}
