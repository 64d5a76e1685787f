package xelprogress

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/xentree/xentree-api/internal/evaluate"
	"github.com/xentree/xentree-api/internal/xel"
)

func catalogue(t *testing.T) *xel.Catalogue {
	t.Helper()
	c, err := xel.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func module(t *testing.T, slug string) *xel.Module {
	t.Helper()
	m, ok := catalogue(t).ModuleBySlug(slug)
	if !ok {
		t.Fatalf("no module %s", slug)
	}
	return m
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// pass records every task of m as passed with score, the last at t0 + minutes.
func pass(recs map[uuid.UUID]TaskRecord, m *xel.Module, score float64, minutes int) {
	for _, task := range m.Tasks {
		recs[task.ID] = TaskRecord{Attempts: 1, BestScore: score, Passed: true, LastAt: t0.Add(time.Duration(minutes) * time.Minute)}
	}
}

func TestModule(t *testing.T) {
	m := module(t, "a2-past-simple")
	tasks := m.Tasks
	retired := uuid.New() // a record of a task no longer in the module counts for nothing
	for _, tc := range []struct {
		name   string
		recs   map[uuid.UUID]TaskRecord
		status Status
		done   int
		best   float64 // -1: nil
		last   time.Time
	}{
		{"nothing", nil, NotStarted, 0, -1, time.Time{}},
		{"only a retired task", map[uuid.UUID]TaskRecord{retired: {Attempts: 3, BestScore: 100, Passed: true, LastAt: t0}}, NotStarted, 0, -1, time.Time{}},
		{"one failed", map[uuid.UUID]TaskRecord{tasks[0].ID: {Attempts: 2, BestScore: 0, LastAt: t0}}, InProgress, 0, 0, t0},
		{"one passed, one partial", map[uuid.UUID]TaskRecord{
			tasks[0].ID: {Attempts: 1, BestScore: 100, Passed: true, LastAt: t0},
			tasks[1].ID: {Attempts: 1, BestScore: 33.3, LastAt: t0.Add(time.Minute)},
		}, InProgress, 1, 66.7, t0.Add(time.Minute)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Module(m, tc.recs)
			if p.Status != tc.status || p.CompletedTasks != tc.done || !p.LastAt.Equal(tc.last) {
				t.Fatalf("got %+v", p)
			}
			if (p.BestScore == nil) != (tc.best < 0) || p.BestScore != nil && *p.BestScore != tc.best {
				t.Fatalf("best %v, want %v", p.BestScore, tc.best)
			}
		})
	}
	recs := map[uuid.UUID]TaskRecord{}
	pass(recs, m, 90, 0)
	if p := Module(m, recs); p.Status != Completed || p.CompletedTasks != len(tasks) || *p.BestScore != 90 {
		t.Fatalf("every task passed: %+v", p)
	}
	rec := recs[tasks[3].ID]
	rec.Passed = false
	recs[tasks[3].ID] = rec
	if p := Module(m, recs); p.Status != InProgress || p.CompletedTasks != len(tasks)-1 {
		t.Fatalf("one not passed: %+v", p)
	}
}

func TestPassMarks(t *testing.T) {
	// The pass mark of a level is the bottom of its band in the evaluator's CEFR mapping.
	for _, l := range xel.Levels {
		m := PassMark(l)
		if got := evaluate.LevelForScore(m); l != xel.A1 && got != string(l) {
			t.Errorf("%s: pass mark %v is in band %s", l, m, got)
		}
		if l != xel.A1 && evaluate.LevelForScore(m-0.5) == string(l) {
			t.Errorf("%s: pass mark %v is not the bottom of its band", l, m)
		}
	}
	for _, tc := range []struct {
		target      xel.Level
		overall, ta float64
		want        bool
	}{
		{xel.A1, 25, 25, true},
		{xel.A1, 24.9, 90, false},
		{xel.A1, 80, 24, false}, // good English off the prompt's topic
		{xel.A2, 35, 60, true},
		{xel.B1, 49, 90, false},
		{xel.B1, 50, 90, true},
		{xel.B2, 64, 90, false},
		{xel.B2, 65, 50, true},
		{xel.C1, 77, 100, false},
		{xel.C1, 78, 100, true},
		{xel.C2, 90, 100, true},
		{"", 25, 30, true},
	} {
		if got := EvaluationPasses(tc.target, tc.overall, tc.ta); got != tc.want {
			t.Errorf("%s overall %v TA %v: %v, want %v", tc.target, tc.overall, tc.ta, got, tc.want)
		}
	}
}

func TestTaskXP(t *testing.T) {
	obj := module(t, "b1-present-perfect").Tasks[0]
	var writing *xel.Task
	for _, task := range module(t, "b2-writing-opinion-essays").Tasks {
		if task.Type == xel.WritingTask {
			writing = task
		}
	}
	for _, tc := range []struct {
		task     *xel.Task
		level    xel.Level
		revealed bool
		want     int
	}{
		{obj, xel.A1, false, 10},
		{obj, xel.A2, false, 12},
		{obj, xel.B1, false, 14},
		{obj, xel.C1, false, 18},
		{obj, xel.A1, true, 3}, // a quarter of 10, rounded up
		{obj, xel.C1, true, 5}, // of 18
		{writing, xel.A1, false, 20},
		{writing, xel.B2, false, 35},
		{writing, xel.B2, true, 35}, // nothing to copy from an evaluation
	} {
		if got := TaskXP(tc.task, tc.level, tc.revealed); got != tc.want {
			t.Errorf("%s at %s revealed=%v: %d, want %d", tc.task.Type, tc.level, tc.revealed, got, tc.want)
		}
	}
}

func TestActiveSeconds(t *testing.T) {
	d := func(s int) *time.Duration { v := time.Duration(s) * time.Second; return &v }
	for _, tc := range []struct {
		typ     xel.TaskType
		claimed int
		since   *time.Duration
		want    int
	}{
		{xel.MultipleChoice, 42, nil, 42},
		{xel.MultipleChoice, 86400, nil, 600},
		{xel.ShortAnswer, -5, nil, 0},
		{xel.WritingTask, 86400, nil, 1800},
		{xel.SpeakingTask, 86400, nil, 900},
		{xel.WritingTask, 1200, d(300), 300}, // five minutes since the last submission
		{xel.Reorder, 60, d(0), 0},           // submitted together with another
		{xel.Reorder, 60, d(-3), 0},
		{xel.FillBlank, 60, d(3600), 60},
	} {
		if got := ActiveSeconds(tc.typ, tc.claimed, tc.since); got != tc.want {
			t.Errorf("%s claimed %d since %v: %d, want %d", tc.typ, tc.claimed, tc.since, got, tc.want)
		}
	}
}

func TestSummarize(t *testing.T) {
	c := catalogue(t)
	recs := map[uuid.UUID]TaskRecord{}
	pass(recs, module(t, "a1-meeting-people"), 100, 0)
	speaking := module(t, "a1-speaking-about-me")
	recs[speaking.Tasks[0].ID] = TaskRecord{Attempts: 2, BestScore: 40, LastAt: t0}
	s := Summarize(Results(c.Modules(), recs), recs)
	if s.Completed != 1 || s.InProgress != 1 || s.AverageScore == nil || *s.AverageScore != 94 { // (9·100 + 40) / 10
		t.Fatalf("summary %+v (average %v)", s, s.AverageScore)
	}
	if len(s.Skills) != len(xel.Skills) {
		t.Fatalf("%d skills", len(s.Skills))
	}
	total := 0
	for _, sk := range s.Skills {
		total += sk.Total
		switch sk.Skill {
		case xel.Vocabulary:
			if sk.Completed != 1 || sk.InProgress != 0 || *sk.AverageScore != 100 || sk.Total != 5 {
				t.Errorf("vocabulary %+v", sk)
			}
		case xel.Speaking:
			if sk.Completed != 0 || sk.InProgress != 1 || *sk.AverageScore != 40 {
				t.Errorf("speaking %+v", sk)
			}
		default:
			if sk.Completed+sk.InProgress != 0 || sk.AverageScore != nil {
				t.Errorf("%s %+v", sk.Skill, sk)
			}
		}
	}
	if total != len(c.Modules()) {
		t.Errorf("skills total %d modules, catalogue has %d", total, len(c.Modules()))
	}
}

func TestEstimateLevel(t *testing.T) {
	c := catalogue(t)
	results := func(slugs map[string]float64) []ModuleResult {
		recs := map[uuid.UUID]TaskRecord{}
		for slug, score := range slugs {
			pass(recs, module(t, slug), score, 0)
		}
		return Results(c.Modules(), recs)
	}
	for _, tc := range []struct {
		name    string
		done    map[string]float64
		evals   []xel.Level
		want    xel.Level
		inBasis []string
	}{
		{"no evidence", nil, nil, "", []string{"No estimate yet"}},
		{"a module below the score", map[string]float64{"b1-work-and-jobs": 69.9}, nil, "", []string{"No estimate yet"}},
		{"modules", map[string]float64{"a1-verb-be": 100, "a2-past-simple": 80, "a2-food-and-shopping": 90}, nil, xel.A2,
			[]string{"A2: the highest level of a module you completed", "2 A2 modules, average 85"}},
		{"the highest level counts", map[string]float64{"a1-verb-be": 100, "b1-work-and-jobs": 75, "a2-past-simple": 60}, nil, xel.B1,
			[]string{"1 B1 module, average 75"}},
		{"evaluations: median of the last five", nil, []xel.Level{xel.C1, xel.B1, xel.B2, xel.B1, xel.B2, xel.A1, xel.A1}, xel.B2,
			[]string{"B2: the median estimate of your last 5 evaluated writing or speaking answers"}},
		{"evaluations: lower median", nil, []xel.Level{xel.C1, xel.B1}, xel.B1, []string{"last 2 evaluated"}},
		{"both: the higher", map[string]float64{"a2-past-simple": 100}, []xel.Level{xel.B2}, xel.B2,
			[]string{"B2: the higher of A2", "and B2, the median estimate of your last 1 evaluated writing or speaking answer"}},
		{"both: modules higher", map[string]float64{"c1-academic-collocations": 88}, []xel.Level{xel.B2, xel.B1}, xel.C1,
			[]string{"C1: the higher of C1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := EstimateLevel(results(tc.done), tc.evals)
			if e.Level != tc.want {
				t.Fatalf("level %q, want %q (%s)", e.Level, tc.want, e.Basis)
			}
			for _, s := range tc.inBasis {
				if !strings.Contains(e.Basis, s) {
					t.Errorf("basis %q lacks %q", e.Basis, s)
				}
			}
		})
	}
}

func TestRecommend(t *testing.T) {
	c := catalogue(t)
	for _, tc := range []struct {
		name     string
		setup    func(recs map[uuid.UUID]TaskRecord)
		estimate xel.Level
		want     string // module slug, "" for none
		inReason string
	}{
		{"new learner", func(map[uuid.UUID]TaskRecord) {}, "", "a1-meeting-people", "Start here: an A1 module in vocabulary"},
		{"the latest module in progress", func(recs map[uuid.UUID]TaskRecord) {
			old, cur := module(t, "b2-conditionals"), module(t, "a2-past-simple")
			recs[old.Tasks[0].ID] = TaskRecord{Attempts: 1, BestScore: 100, Passed: true, LastAt: t0}
			recs[cur.Tasks[0].ID] = TaskRecord{Attempts: 1, BestScore: 100, Passed: true, LastAt: t0.Add(time.Hour)}
			recs[cur.Tasks[1].ID] = TaskRecord{Attempts: 1, BestScore: 0, LastAt: t0.Add(time.Minute)}
		}, xel.B2, "a2-past-simple", "Continue where you left off: 1 of 9 tasks passed"},
		{"at the level, the least practised skill", func(recs map[uuid.UUID]TaskRecord) {
			pass(recs, module(t, "b1-work-and-jobs"), 100, 0)    // vocabulary
			pass(recs, module(t, "a2-food-and-shopping"), 90, 0) // vocabulary
			pass(recs, module(t, "a1-verb-be"), 90, 0)           // grammar
		}, xel.B1, "b1-reading-giving-time", "A module at your estimated level, B1, in reading, the skill you have practised least (0 modules started or completed)"},
		{"level done: the next one", func(recs map[uuid.UUID]TaskRecord) {
			for _, m := range c.Filter(xel.B1, "") {
				pass(recs, m, 100, 0)
			}
		}, xel.B1, "b2-writing-opinion-essays", "Every B1 module is started or completed: B2 is the next step, in writing, the skill you have practised least (0 modules"},
		{"levels above done: back down", func(recs map[uuid.UUID]TaskRecord) {
			for _, l := range []xel.Level{xel.B2, xel.C1} {
				for _, m := range c.Filter(l, "") {
					pass(recs, m, 100, 0)
				}
			}
		}, xel.B2, "b1-listening-sleep", "Every module from B2 up is started or completed; this B1 module is still open, in listening, the skill you have practised least (1 module started"},
		{"no estimate yet, some practice", func(recs map[uuid.UUID]TaskRecord) {
			pass(recs, module(t, "a1-meeting-people"), 50, 0)
		}, "", "a1-verb-be", "An A1 module in grammar"},
		{"everything done", func(recs map[uuid.UUID]TaskRecord) {
			for _, m := range c.Modules() {
				pass(recs, m, 100, 0)
			}
		}, xel.C1, "", "completed every module"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs := map[uuid.UUID]TaskRecord{}
			tc.setup(recs)
			r := Recommend(Results(c.Modules(), recs), tc.estimate)
			got := ""
			if r.Module != nil {
				got = r.Module.Slug
			}
			if got != tc.want || !strings.Contains(r.Reason, tc.inReason) {
				t.Fatalf("got %q (%s), want %q (%s)", got, r.Reason, tc.want, tc.inReason)
			}
		})
	}
}

// TestModelAnswersPass: every model answer of the catalogue passes its own task with the
// offline evaluator (a model answer that failed would mean a miscalibrated pass mark, or a
// model answer below its target).
func TestModelAnswersPass(t *testing.T) {
	n := 0
	for _, m := range catalogue(t).Modules() {
		for _, task := range m.Tasks {
			b, ok := task.Brief()
			if !ok || b.ModelAnswer == "" {
				continue
			}
			n++
			kind := evaluate.Writing
			if b.Kind == xel.SpeakingTask {
				kind = evaluate.Speaking
			}
			r := evaluate.Offline(evaluate.Input{Kind: kind, Text: b.ModelAnswer, Prompt: b.Prompt,
				TargetLevel: string(b.TargetLevel), MinWords: b.MinWords, MaxWords: b.MaxWords})
			if ta := r.Criteria[0].Score; !EvaluationPasses(b.TargetLevel, r.OverallScore, ta) {
				t.Errorf("%s/%s: model answer scored %v (%s), task achievement %v: below the %s pass mark %v",
					m.Slug, task.Slug, r.OverallScore, r.CEFREstimate, ta, b.TargetLevel, PassMark(b.TargetLevel))
			}
		}
	}
	if n < 8 {
		t.Fatalf("only %d model answers", n)
	}
}
