package server_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/internal/xel"
	"github.com/xentree/xentree-api/internal/xelprogress"
)

// builtin is the shipped catalogue, which the tests use as their answer key.
func builtin(t testing.TB) *xel.Catalogue {
	t.Helper()
	c, err := xel.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// xelTask finds a task by module and task slug.
func xelTask(t testing.TB, moduleSlug, taskSlug string) (*xel.Module, *xel.Task) {
	t.Helper()
	m, ok := builtin(t).ModuleBySlug(moduleSlug)
	if !ok {
		t.Fatalf("no module %s", moduleSlug)
	}
	task, ok := m.TaskBySlug(taskSlug)
	if !ok {
		t.Fatalf("no task %s/%s", moduleSlug, taskSlug)
	}
	return m, task
}

// firstOfType is the first task of type typ in the catalogue.
func firstOfType(t testing.TB, typ xel.TaskType, multiBlank bool) (*xel.Module, *xel.Task) {
	t.Helper()
	for _, m := range builtin(t).Modules() {
		for _, task := range m.Tasks {
			if task.Type == typ && (!multiBlank || task.Blanks > 1) {
				return m, task
			}
		}
	}
	t.Fatalf("no %s task", typ)
	return nil, nil
}

// submit posts a submission of task of m with the extra fields of body.
func (h *harness) submit(u *user, m *xel.Module, task *xel.Task, body map[string]any) resp {
	h.t.Helper()
	b := map[string]any{"module_id": m.ID, "task_id": task.ID}
	for k, v := range body {
		b[k] = v
	}
	return h.raw("POST", "/api/xel/submissions", b, u.auth())
}

// answer submits answer to task and returns the 201 result.
func (h *harness) answer(u *user, m *xel.Module, task *xel.Task, answer string) api.XELSubmissionResult {
	h.t.Helper()
	var r api.XELSubmissionResult
	h.submit(u, m, task, map[string]any{"answer": answer}).expect(h.t, 201).decode(h.t, &r)
	return r
}

func (h *harness) dashboard(u *user) api.XELDashboardResponse {
	h.t.Helper()
	var d api.XELDashboardResponse
	h.get(u, "/api/xel/dashboard", &d)
	return d
}

func (h *harness) xelModule(u *user, id fmt.Stringer) api.XELModuleDetail {
	h.t.Helper()
	var d api.XELModuleDetail
	h.get(u, "/api/xel/modules/"+id.String(), &d)
	return d
}

// wrongAnswer is a valid but wrong answer to an objective task.
func wrongAnswer(task *xel.Task) string {
	switch task.Type {
	case xel.MultipleChoice:
		for _, o := range task.Options {
			if o != task.ExpectedAnswer() {
				return o
			}
		}
	case xel.Reorder:
		return strings.Join(task.Options, " | ") // shown scrambled: never an accepted order
	case xel.FillBlank:
		return strings.TrimSuffix(strings.Repeat("zzyzx | ", task.Blanks), " | ")
	}
	return "zzyzx"
}

// modelAnswer is the model answer of an evaluated task (it passes offline: see
// xelprogress.TestModelAnswersPass).
func modelAnswer(t testing.TB, task *xel.Task) string {
	t.Helper()
	b, ok := task.Brief()
	if !ok || b.ModelAnswer == "" {
		t.Fatalf("%s has no model answer", task.Slug)
	}
	return b.ModelAnswer
}

// TestXELJourney: a learner on a fresh server browses the modules, follows the recommendation,
// answers (some wrong first), gets a writing task evaluated, and sees XP, streak, quests,
// learning time and the dashboard move.
func TestXELJourney(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.at(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
		u := h.newUser("learner")
		d := h.dashboard(u)
		if d.LevelEstimate.IsSpecified() && !d.LevelEstimate.IsNull() || d.ModulesCompleted != 0 || len(d.RecentActivity) != 0 ||
			!strings.Contains(d.LevelBasis, "No estimate yet") || !strings.HasPrefix(d.RecommendationReason, "Start here") {
			t.Fatalf("fresh dashboard: %+v", d)
		}
		rec := d.NextRecommendedModule.MustGet()
		var list []api.XELModuleSummary
		h.get(u, "/api/xel/modules?level=A1", &list)
		if len(list) != len(builtin(t).Filter(xel.A1, "")) || list[0].Id != rec.Id || list[0].Progress.Status != api.NotStarted {
			t.Fatalf("A1 modules %+v, recommended %s", list, rec.Id)
		}
		detail := h.xelModule(u, rec.Id)
		m, _ := builtin(t).Module(rec.Id)
		if len(detail.Tasks) != len(m.Tasks) || detail.TaskCount != len(m.Tasks) {
			t.Fatalf("module detail %+v", detail)
		}

		// The first task wrong, then right: a quarter of its XP (the answer was shown).
		first := m.Tasks[0]
		wrong := h.answer(u, m, first, wrongAnswer(first))
		if wrong.Correct.MustGet() || wrong.Passed || wrong.XpAwarded != 0 || wrong.Attempt != 1 ||
			!strings.Contains(wrong.Feedback, first.ExpectedAnswer()) || wrong.ExpectedAnswer.MustGet() != first.ExpectedAnswer() {
			t.Fatalf("wrong answer: %+v", wrong)
		}
		h.clock.Advance(time.Minute)
		right := h.answer(u, m, first, first.ExpectedAnswer())
		want := xelprogress.TaskXP(first, m.Level, true)
		if !right.Passed || right.XpAwarded != want || right.Attempt != 2 || right.ModuleProgress.CompletedTasks != 1 ||
			right.ModuleProgress.Status != api.InProgress {
			t.Fatalf("right after wrong: %+v, want %d XP", right, want)
		}
		total := want
		for _, task := range m.Tasks[1:] {
			h.clock.Advance(time.Minute)
			var r api.XELSubmissionResult
			if task.Evaluated() {
				r = h.answer(u, m, task, modelAnswer(t, task))
			} else {
				r = h.answer(u, m, task, task.ExpectedAnswer())
			}
			if !r.Passed || r.XpAwarded < xelprogress.TaskXP(task, m.Level, false) {
				t.Fatalf("%s: %+v", task.Slug, r)
			}
			total += r.XpAwarded
		}
		var prof api.XPProfileResponse
		h.get(u, "/api/xp/profile", &prof)
		if prof.Today.Quizzes != total || prof.TotalXp != total+prof.Today.Rewards || prof.CurrentStreak != 1 {
			t.Fatalf("profile %+v, want %d quiz XP", prof, total)
		}
		var quests api.QuestsResponse
		h.get(u, "/api/xp/daily-quests", &quests)
		moved := 0
		for _, q := range quests.Quests {
			if q.Progress > 0 {
				moved++
			}
		}
		if moved == 0 {
			t.Fatalf("no quest moved: %+v", quests)
		}
		d = h.dashboard(u)
		if d.ModulesCompleted != 1 || d.LevelEstimate.MustGet() != api.A1 || len(d.RecentActivity) != min(10, len(m.Tasks)+1) {
			t.Fatalf("dashboard after a module: %+v", d)
		}
		if next := d.NextRecommendedModule.MustGet(); next.Id == rec.Id || next.Level != api.A1 {
			t.Fatalf("next module %+v (%s)", next, d.RecommendationReason)
		}
	})
}

var _ = []any{context.Background, http.MethodGet, slices.Contains[[]string], sync.Mutex{}}
