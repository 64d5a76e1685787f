package server_test

import (
	"context"
	"sync"
	"testing"
	"time"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/internal/xelprogress"
)

// xelXP sums the XP the ledger recorded for userID from XEL sources (quest rewards excluded):
// awarded (with any booster) and base.
func (h *harness) xelXP(userID string) (awarded, base int) {
	h.t.Helper()
	var sums struct{ XP, Base int }
	err := h.store.DB(context.Background()).Table("xp_events").Select("COALESCE(SUM(xp), 0) AS xp, COALESCE(SUM(base_xp), 0) AS base").
		Where("user_id = ? AND source IN ?", userID, []string{"xel_task", "xel_evaluation"}).Scan(&sums).Error
	if err != nil {
		h.t.Fatal(err)
	}
	return sums.XP, sums.Base
}

// TestXELXPOnce: a task's first pass earns its XP once: a resubmission earns nothing, and of 20
// concurrent submissions across two replicas exactly one does; a module's bonus is awarded
// once when its tasks are passed concurrently.
func TestXELXPOnce(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.at(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
		u := h.newUser("once")
		m, task := xelTask(t, "b1-present-perfect", "been-to-japan")
		first := h.answer(u, m, task, task.ExpectedAnswer())
		if want := xelprogress.TaskXP(task, m.Level, false); first.XpAwarded != want || !first.Passed {
			t.Fatalf("first pass: %+v, want %d XP", first, want)
		}
		for i := 0; i < 3; i++ {
			h.clock.Advance(time.Minute)
			if again := h.answer(u, m, task, task.ExpectedAnswer()); again.XpAwarded != 0 || again.Attempt != i+2 || !again.TaskProgress.Passed {
				t.Fatalf("resubmission %d: %+v", i, again)
			}
		}
		// A wrong answer after the pass keeps the pass.
		if r := h.answer(u, m, task, wrongAnswer(task)); r.Passed || !r.TaskProgress.Passed || r.TaskProgress.BestScore.MustGet() != 100 {
			t.Fatalf("wrong after pass: %+v", r)
		}

		// 20 concurrent correct submissions of a fresh task, on two replicas.
		other := h.replica()
		_, fresh := xelTask(t, "b1-present-perfect", "for-since")
		results := make([]api.XELSubmissionResult, 20)
		var wg sync.WaitGroup
		for i := range results {
			srv := h
			if i%2 == 1 {
				srv = other
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				srv.submit(u, m, fresh, map[string]any{"answer": fresh.ExpectedAnswer(), "duration_seconds": 30}).expect(t, 201).decode(t, &results[i])
			}()
		}
		wg.Wait()
		paid, attempts := 0, map[int]bool{}
		for _, r := range results {
			if r.XpAwarded > 0 {
				paid++
			}
			attempts[r.Attempt] = true
		}
		if paid != 1 || len(attempts) != 20 {
			t.Fatalf("%d submissions paid, %d distinct attempts", paid, len(attempts))
		}
		want := 2 * xelprogress.TaskXP(task, m.Level, false)
		if awarded, base := h.xelXP(u.ID); base != want || awarded != first.XpAwarded+sumXP(results) {
			t.Fatalf("ledger holds %d XEL XP (base %d), want base %d", awarded, base, want)
		}
		if n := h.countRows("xel_task_progress", "user_id = ? AND task_id = ? AND attempts = 20", u.ID, fresh.ID.String()); n != 1 {
			t.Fatal("attempts lost")
		}

		// Every task of a module passed at once: the completing pass is found exactly once.
		v := h.newUser("bonus")
		mod, _ := builtin(t).ModuleBySlug("a1-verb-be")
		out := make([]api.XELSubmissionResult, len(mod.Tasks))
		for i, tk := range mod.Tasks {
			srv := h
			if i%2 == 1 {
				srv = other
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				srv.submit(v, mod, tk, map[string]any{"answer": tk.ExpectedAnswer()}).expect(t, 201).decode(t, &out[i])
			}()
		}
		wg.Wait()
		sum, completed := 0, 0
		for _, r := range out {
			sum += r.XpAwarded
			if r.ModuleProgress.Status == api.Completed {
				completed++
			}
		}
		tasks := 0
		for _, tk := range mod.Tasks {
			tasks += xelprogress.TaskXP(tk, mod.Level, false)
		}
		// (A booster earned by the day's quests on the way may double some awards.)
		if awarded, base := h.xelXP(v.ID); base != tasks+xelprogress.ModuleBonusXP || awarded != sum || completed != 1 {
			t.Fatalf("module passed concurrently: %d XP (base %d), %d responses completed, want base %d + bonus %d",
				awarded, base, completed, tasks, xelprogress.ModuleBonusXP)
		}
		if n := h.countRows("xp_events", "user_id = ? AND idempotency_key = ?", v.ID, "xel_module:"+mod.ID.String()); n != 1 {
			t.Fatalf("%d module bonuses", n)
		}
	})
}

func sumXP(rs []api.XELSubmissionResult) int {
	n := 0
	for _, r := range rs {
		n += r.XpAwarded
	}
	return n
}

// TestXELLearningTime: a submission records its duration as learning time, bounded by the
// task type's maximum and by the time since the learner's previous submission; retries record
// time but no quest facts.
func TestXELLearningTime(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.at(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
		u := h.newUser("timer")
		m, task := xelTask(t, "a2-past-simple", "went")
		h.submit(u, m, task, map[string]any{"answer": wrongAnswer(task), "duration_seconds": 86400}).expect(t, 201)
		h.clock.Advance(40 * time.Second)
		h.submit(u, m, task, map[string]any{"answer": task.ExpectedAnswer(), "duration_seconds": 300}).expect(t, 201)
		h.clock.Advance(time.Hour)
		h.relogin(u)
		_, w := xelTask(t, "a2-writing-emails-to-friends", "last-weekend")
		wm, _ := builtin(t).ModuleBySlug("a2-writing-emails-to-friends")
		h.submit(u, wm, w, map[string]any{"answer": modelAnswer(t, w), "duration_seconds": 86400}).expect(t, 201)
		var lt api.LearningTimeAnalyticsResponse
		h.get(u, "/api/xp/learning-time", &lt)
		if got, want := lt.BySource.XelTask, xelprogress.MaxObjectiveSeconds+40; got != want {
			t.Errorf("xel_task learning time %d, want %d (capped, then bounded by the 40 s since)", got, want)
		}
		if got := lt.BySource.XelEvaluation; got != xelprogress.MaxWritingSeconds {
			t.Errorf("xel_evaluation learning time %d, want %d", got, xelprogress.MaxWritingSeconds)
		}
		// Only the passes counted as completed tasks for the quests.
		var tasks int64
		if err := h.store.DB(context.Background()).Table("xp_daily").Select("COALESCE(SUM(tasks_completed), 0)").Where("user_id = ?", u.ID).Scan(&tasks).Error; err != nil || tasks != 2 {
			t.Fatalf("%d tasks completed, want 2 (%v)", tasks, err)
		}
	})
}
