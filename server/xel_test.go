package server_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/internal/progress"
	"github.com/xentree/xentree-api/internal/xel"
	"github.com/xentree/xentree-api/internal/xelprogress"
	"github.com/xentree/xentree-api/store"
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
		// The day's draw depends on the user's id: every drawn quest that module work measures
		// must have moved (minutes, segments and sessions come from other areas).
		for _, q := range quests.Quests {
			i := slices.IndexFunc(progress.QuestPool, func(p progress.Quest) bool { return p.Key == q.Key })
			if i < 0 {
				t.Fatalf("unknown quest %+v", q)
			}
			switch progress.QuestPool[i].Metric {
			case progress.MetricLearningXP, progress.MetricQuizXP, progress.MetricTasks, progress.MetricHighScores, progress.MetricStreak:
				if q.Progress == 0 {
					t.Fatalf("quest %s did not move: %+v", q.Key, quests)
				}
			}
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

// TestXELCatalogueThroughAPI: the catalogue the issue asks for, reached through the API: the
// counts, every module listed and readable, ids unique, no answer key in any view, filters
// and pages, and every objective task's own answer accepted by the grader behind the route.
func TestXELCatalogueThroughAPI(t *testing.T) {
	cat := builtin(t)
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("browser")
		var all []api.XELModuleSummary
		h.get(u, "/api/xel/modules?limit=200", &all)
		if len(all) != len(cat.Modules()) || len(all) < 18 {
			t.Fatalf("%d modules listed, catalogue has %d (at least 18 wanted)", len(all), len(cat.Modules()))
		}
		levels, skills := map[api.CEFRLevel]int{}, map[api.XELSkill]int{}
		ids := map[string]bool{}
		answered := 0
		for i, s := range all {
			m := cat.Modules()[i]
			if s.Id != m.ID || s.Progress.Status != api.NotStarted || s.TaskCount < 6 || s.EstimatedMinutes < 1 || s.Title == "" || s.Description == "" {
				t.Fatalf("module %d: %+v", i, s)
			}
			levels[s.Level]++
			skills[s.Skill]++
			r := h.raw("GET", "/api/xel/modules/"+s.Id.String(), nil, u.auth()).expect(t, 200)
			var d api.XELModuleDetail
			r.decode(t, &d)
			if len(d.Tasks) != s.TaskCount || d.TaskCount != s.TaskCount {
				t.Fatalf("%s: %d tasks, task_count %d", m.Slug, len(d.Tasks), s.TaskCount)
			}
			if wantMaterial := m.Skill == xel.Reading || m.Skill == xel.Listening; wantMaterial != d.Material.IsSpecified() ||
				wantMaterial && d.Material.MustGet().Text == "" {
				t.Fatalf("%s: material %+v", m.Slug, d.Material)
			}
			for j, task := range m.Tasks {
				v := d.Tasks[j]
				if ids[v.Id.String()] || v.Id != task.ID || v.MaxScore != 100 || v.Progress.Attempts != 0 {
					t.Fatalf("%s task %d: %+v", m.Slug, j, v)
				}
				ids[v.Id.String()] = true
				if strings.Contains(string(r.Body), task.Explanation()) {
					t.Fatalf("%s/%s: explanation in the module view", m.Slug, task.Slug)
				}
				if task.Evaluated() {
					if v.MinWords == nil || v.MaxWords == nil || v.TargetLevel == nil || *v.MinWords >= *v.MaxWords {
						t.Fatalf("%s/%s: word target %+v", m.Slug, task.Slug, v)
					}
					continue
				}
				if (task.Type == xel.FillBlank) != (v.Blanks != nil) {
					t.Fatalf("%s/%s: blanks %v", m.Slug, task.Slug, v.Blanks)
				}
				res := h.answer(u, m, task, task.ExpectedAnswer())
				if !res.Correct.MustGet() || !res.Passed || res.Score != 100 || !strings.Contains(res.Feedback, task.Explanation()) {
					t.Fatalf("%s/%s: own answer %q graded %+v", m.Slug, task.Slug, task.ExpectedAnswer(), res)
				}
				answered++
			}
		}
		for _, l := range []api.CEFRLevel{api.A1, api.A2, api.B1, api.B2} {
			if levels[l] < 3 {
				t.Errorf("%d modules at %s", levels[l], l)
			}
		}
		if levels[api.C1] < 2 || len(skills) < 5 {
			t.Errorf("levels %v, skills %v", levels, skills)
		}
		if answered < 150 {
			t.Errorf("only %d objective tasks answered", answered)
		}

		var page []api.XELModuleSummary
		h.get(u, "/api/xel/modules?limit=5&offset=20", &page)
		if want := all[20:min(25, len(all))]; len(page) != len(want) || page[0].Id != want[0].Id {
			t.Fatalf("page of %d from 20: %d", len(want), len(page))
		}
		h.get(u, "/api/xel/modules?offset=500", &page)
		if len(page) != 0 {
			t.Fatalf("past the end: %d", len(page))
		}
		h.get(u, "/api/xel/modules?skill=listening&level=B2", &page)
		if len(page) != len(cat.Filter(xel.B2, xel.Listening)) || len(page) == 0 || page[0].Skill != api.XELSkillListening || page[0].Level != api.B2 {
			t.Fatalf("B2 listening: %+v", page)
		}
		h.get(u, "/api/xel/modules?level=C2", &page)
		if len(page) != 0 {
			t.Fatalf("C2: %+v", page)
		}
		h.raw("GET", "/api/xel/modules?level=D1", nil, u.auth()).expect(t, 400)
		h.raw("GET", "/api/xel/modules?limit=201", nil, u.auth()).expect(t, 400)
		if e := h.raw("GET", "/api/xel/modules/"+store.NewID(), nil, u.auth()).expect(t, 404).errorBody(t); e.Error != "not_found" {
			t.Fatalf("unknown module: %+v", e)
		}
		h.raw("GET", "/api/xel/modules/not-a-uuid", nil, u.auth()).expect(t, 400)
	})
}

// TestXELGrading: accepted variants and near misses of each task type through the route, and
// invalid submissions refused with 422 (or 404) with nothing recorded.
func TestXELGrading(t *testing.T) {
	mc, mcTask := firstOfType(t, xel.MultipleChoice, false)
	fb, fbTask := firstOfType(t, xel.FillBlank, true)
	ro, roTask := firstOfType(t, xel.Reorder, false)
	wr, wrTask := firstOfType(t, xel.WritingTask, false)
	var spell *xel.Task
	var spellMod *xel.Module
	for _, m := range builtin(t).Modules() {
		for _, task := range m.Tasks {
			if a := task.ExpectedAnswer(); spell == nil && task.Type == xel.ShortAnswer && len(a) >= 6 && !strings.ContainsAny(a, " 0123456789'") {
				spell, spellMod = task, m
			}
		}
	}
	letter := string(rune('a' + slices.Index(mcTask.Options, mcTask.ExpectedAnswer())))
	blanks := strings.Split(fbTask.ExpectedAnswer(), "; ")
	neg, negTask := xelTask(t, "a1-verb-be", "negative-sentence")
	isnt, isntTask := xelTask(t, "a1-verb-be", "negative-isnt")
	age, ageTask := xelTask(t, "a1-reading-a-message-from-lena", "lena-age")
	type sub = map[string]any
	cases := []struct {
		name    string
		m       *xel.Module
		task    *xel.Task
		body    sub
		score   float32
		correct bool
		in      string // in the feedback
	}{
		{"mc: the option's text", mc, mcTask, sub{"answer": mcTask.ExpectedAnswer()}, 100, true, "Correct"},
		{"mc: its letter", mc, mcTask, sub{"answer": "(" + strings.ToUpper(letter) + ")"}, 100, true, ""},
		{"mc: another option", mc, mcTask, sub{"answer": wrongAnswer(mcTask)}, 0, false, mcTask.ExpectedAnswer()},
		{"short: curly apostrophe and a contraction", neg, negTask, sub{"answer": "  we aren\u2019t AT home!! "}, 100, true, ""},
		{"short: another contraction", neg, negTask, sub{"answer": "We're not at home"}, 100, true, ""},
		{"short: near miss", neg, negTask, sub{"answer": "We are home."}, 0, false, "We are not at home."},
		{"short: listed alternative", age, ageTask, sub{"answer": "Nineteen years old."}, 100, true, ""},
		{"short: wrong number", age, ageTask, sub{"answer": "20"}, 0, false, ""},
		{"short: a spelling slip", spellMod, spell, sub{"answer": spell.ExpectedAnswer()[:len(spell.ExpectedAnswer())-1]}, 0, false, "spelling"},
		{"blank: the full form of the contraction", isnt, isntTask, sub{"answer": "is not"}, 100, true, ""},
		{"blanks: separated by |", fb, fbTask, sub{"answer": strings.Join(blanks, " | ")}, 100, true, ""},
		{"blanks: as ordered_items", fb, fbTask, sub{"ordered_items": blanks}, 100, true, ""},
		{"blanks: one wrong", fb, fbTask, sub{"ordered_items": append([]string{"zzyzx"}, blanks[1:]...)},
			float32(int(1000*float64(len(blanks)-1)/float64(len(blanks))+0.5)) / 10, false, "blanks right"},
		{"reorder: typed as the sentence", ro, roTask, sub{"answer": roTask.ExpectedAnswer()}, 100, true, ""},
		{"reorder: in the scrambled order", ro, roTask, sub{"ordered_items": roTask.Options}, -1, false, ""},
	}
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("grader")
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				var r api.XELSubmissionResult
				h.submit(u, tc.m, tc.task, tc.body).expect(t, 201).decode(t, &r)
				if tc.score >= 0 && r.Score != tc.score || tc.score < 0 && (r.Score >= 100 || r.Score < 0) ||
					r.Correct.MustGet() != tc.correct || !strings.Contains(r.Feedback, tc.in) {
					t.Fatalf("got score %v correct %v feedback %q; want %v %v %q", r.Score, r.Correct.MustGet(), r.Feedback, tc.score, tc.correct, tc.in)
				}
			})
		}
		before := h.countRows("xel_submissions", "user_id = ?", u.ID)
		for _, tc := range []struct {
			name   string
			body   map[string]any
			status int
			code   string
		}{
			{"not an option", sub{"module_id": mc.ID, "task_id": mcTask.ID, "answer": "none of these"}, 422, "invalid_submission"},
			{"no answer", sub{"module_id": mc.ID, "task_id": mcTask.ID}, 422, "invalid_submission"},
			{"wrong number of blanks", sub{"module_id": fb.ID, "task_id": fbTask.ID, "ordered_items": blanks[:1]}, 422, "invalid_submission"},
			{"items not the task's", sub{"module_id": ro.ID, "task_id": roTask.ID, "ordered_items": roTask.Options[1:]}, 422, "invalid_submission"},
			{"both answer and items", sub{"module_id": ro.ID, "task_id": roTask.ID, "answer": "x", "ordered_items": roTask.Options}, 422, "invalid_submission"},
			{"writing without text", sub{"module_id": wr.ID, "task_id": wrTask.ID, "answer": "   "}, 422, "invalid_submission"},
			{"writing as items", sub{"module_id": wr.ID, "task_id": wrTask.ID, "ordered_items": []string{"a"}}, 422, "invalid_submission"},
			{"task of another module", sub{"module_id": age.ID, "task_id": negTask.ID, "answer": "x"}, 422, "task_not_in_module"},
			{"unknown task", sub{"module_id": mc.ID, "task_id": store.NewID(), "answer": "x"}, 404, "not_found"},
			{"unknown module", sub{"module_id": store.NewID(), "task_id": mcTask.ID, "answer": "x"}, 404, "not_found"},
			{"unknown field", sub{"module_id": mc.ID, "task_id": mcTask.ID, "answer": "x", "score": 100}, 400, "validation_error"},
			{"negative duration", sub{"module_id": mc.ID, "task_id": mcTask.ID, "answer": "x", "duration_seconds": -1}, 400, "validation_error"},
		} {
			if e := h.raw("POST", "/api/xel/submissions", tc.body, u.auth()).expect(t, tc.status).errorBody(t); e.Error != tc.code {
				t.Errorf("%s: %s, want %s", tc.name, e.Error, tc.code)
			}
		}
		if after := h.countRows("xel_submissions", "user_id = ?", u.ID); after != before {
			t.Fatalf("refused submissions recorded: %d → %d", before, after)
		}
	})
}

// TestXELAPIKeyScopes: API keys read Xentree English with xel:read and submit and evaluate
// with xel:write, acting as their creator (the same progress as the bearer sees).
func TestXELAPIKeyScopes(t *testing.T) {
	m, task := xelTask(t, "a1-verb-be", "negative-sentence")
	sub := map[string]any{"module_id": m.ID, "task_id": task.ID, "answer": task.ExpectedAnswer()}
	eval := map[string]any{"kind": "writing", "text": "I like my weekend."}
	reads := []string{"/api/xel/modules", "/api/xel/modules/" + m.ID.String(), "/api/xel/dashboard"}
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("keys")
		org := h.createOrg(u, "XEL Keys").Id.String()
		read, _ := h.newKey(u, org, []string{"xel:read"})
		write, _ := h.newKey(u, org, []string{"xel:write"})
		other, _ := h.newKey(u, org, []string{"conversations:read", "quiz:write", "api:admin"})
		denied := func(r resp, scope string) {
			t.Helper()
			e := r.expect(t, 403).errorBody(t)
			if e.Error != "INSUFFICIENT_API_KEY_SCOPE" || e.RequiredScope == nil || *e.RequiredScope != scope {
				t.Fatalf("want 403 for %s: %s", scope, r.Body)
			}
		}
		for _, path := range reads {
			h.raw("GET", path, nil, apiKey(read)).expect(t, 200)
			denied(h.raw("GET", path, nil, apiKey(write)), "xel:read")
			denied(h.raw("GET", path, nil, apiKey(other)), "xel:read")
		}
		for _, key := range []string{read, other} {
			denied(h.raw("POST", "/api/xel/submissions", sub, apiKey(key)), "xel:write")
			denied(h.raw("POST", "/api/xel/evaluate", eval, apiKey(key)), "xel:write")
		}
		h.raw("POST", "/api/xel/submissions", sub, apiKey(write)).expect(t, 201)
		h.raw("POST", "/api/xel/evaluate", eval, apiKey(write)).expect(t, 200)
		// The key's submission is its creator's progress.
		if d := h.xelModule(u, m.ID); d.Progress.CompletedTasks != 1 {
			t.Fatalf("progress via the bearer: %+v", d.Progress)
		}
		h.raw("GET", "/api/xel/dashboard", nil).expect(t, 401)
	})
}
