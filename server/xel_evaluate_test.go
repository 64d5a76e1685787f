package server_test

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/internal/evaluate"
	"github.com/xentree/xentree-api/internal/xelprogress"
	"github.com/xentree/xentree-api/server"
)

// Texts written for these tests: one answer to weekendPrompt at A1 and one at C1, and an
// essay on another subject.
const (
	weekendPrompt = "Describe your last weekend. What did you do, and who were you with?"
	weekendA1     = `My weekend was good. On Saturday I go to the park with my friend. We play tennis. It was sunny. In the evening I eat pasta at home with my mother. On Sunday I am tired. I watch TV and I read. I like my weekend.`
	weekendC1     = `Although I had intended to spend the weekend catching up on work, it turned out to be far more sociable than I expected. On Saturday morning my cousin, who had just returned from a year abroad, persuaded me to join her on a long walk along the canal, and we ended up in a tiny bakery that neither of us had noticed before. What struck me was how much she had changed: she was noticeably more confident and, admittedly, far better at telling stories.

On Sunday, by contrast, I stayed at home with my flatmates. We cooked an ambitious lunch, which took considerably longer than planned, and spent the afternoon playing board games. Nevertheless, by the evening I felt genuinely rested, and I suspect that the unplanned weekend did me more good than any amount of work would have.`
	offTopicC1 = `Public transport in large cities has improved considerably over the last decade, largely because local authorities have finally recognised that congestion carries an economic cost. Dedicated bus lanes, contactless payment and real-time information have made services more reliable; consequently, commuters who previously depended on cars are gradually switching. Nevertheless, rural areas remain poorly served, and unless funding is distributed more fairly, the gap between urban and rural mobility is likely to widen.`
)

// reply is a rubric reply of the provider with every criterion at score.
func rubricReply(kind string, overall float64, level string, score any) string {
	crit := []string{"task_achievement", "coherence_cohesion", "vocabulary_range", "grammatical_accuracy"}
	if kind == "speaking" {
		crit = append(crit, "fluency", "pronunciation")
	}
	parts := make([]string, len(crit))
	for i, c := range crit {
		parts[i] = fmt.Sprintf(`{"criterion": %q, "score": %v, "feedback": "Model feedback on %s."}`, c, score, c)
	}
	return fmt.Sprintf(`{"overall_score": %v, "cefr_estimate": %q, "criteria": [%s], "feedback": "Model summary."}`,
		overall, level, strings.Join(parts, ", "))
}

func (h *harness) evaluate(u *user, body map[string]any) api.XELEvaluationResponse {
	h.t.Helper()
	var r api.XELEvaluationResponse
	h.raw("POST", "/api/xel/evaluate", body, u.auth()).expect(h.t, 200).decode(h.t, &r)
	return r
}

// TestXELEvaluateOffline: without a provider the offline evaluator answers, named; it orders
// levels, scores junk low, is deterministic, checks the word target, and records nothing.
func TestXELEvaluateOffline(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("eval")
		ask := func(text string) api.XELEvaluationResponse {
			return h.evaluate(u, map[string]any{"kind": "writing", "text": text, "prompt": weekendPrompt, "target_level": "B1"})
		}
		a1, c1, off := ask(weekendA1), ask(weekendC1), ask(offTopicC1)
		if a1.Provider != evaluate.OfflineProvider || a1.Model != evaluate.OfflineModel || len(a1.Criteria) != 4 {
			t.Fatalf("offline result %+v", a1)
		}
		if c1.OverallScore < a1.OverallScore+20 || c1.CefrEstimate <= a1.CefrEstimate {
			t.Fatalf("A1 text %v (%s), C1 text %v (%s)", a1.OverallScore, a1.CefrEstimate, c1.OverallScore, c1.CefrEstimate)
		}
		if off.OverallScore >= c1.OverallScore-20 || off.Criteria[0].Score >= 40 {
			t.Fatalf("off-topic C1 essay scored %v, task achievement %v", off.OverallScore, off.Criteria[0].Score)
		}
		for _, junk := range []string{"weekend", weekendPrompt, " "} {
			if r := ask(junk); r.OverallScore > 15 || r.CefrEstimate != api.A1 {
				t.Errorf("%q scored %v %s", junk, r.OverallScore, r.CefrEstimate)
			}
		}
		if again := ask(weekendC1); fmt.Sprint(again) != fmt.Sprint(c1) {
			t.Fatal("the same text got another result")
		}
		sp := h.evaluate(u, map[string]any{"kind": "speaking", "text": "Um, so, last weekend I, I went to the the park with my my brother and we, er, played football."})
		if len(sp.Criteria) != 5 || sp.Criteria[4].Criterion != evaluate.Fluency || strings.Contains(strings.ToLower(sp.Feedback), "pronunciation score") {
			t.Fatalf("speaking %+v", sp)
		}
		h.evaluate(u, map[string]any{"kind": "writing", "text": weekendA1, "min_words": 20, "max_words": 60})
		for _, b := range []map[string]any{
			{"kind": "writing", "text": weekendA1, "min_words": 60, "max_words": 60},
			{"kind": "writing", "text": weekendA1, "min_words": 60},
		} {
			if e := h.raw("POST", "/api/xel/evaluate", b, u.auth()).expect(t, 422).errorBody(t); e.Error != "invalid_word_target" {
				t.Fatalf("%v: %s", b, e.Error)
			}
		}
		h.raw("POST", "/api/xel/evaluate", map[string]any{"kind": "poetry", "text": "x"}, u.auth()).expect(t, 400)
		h.raw("POST", "/api/xel/evaluate", map[string]any{"kind": "writing", "text": ""}, u.auth()).expect(t, 400)
		if h.countRows("xel_submissions", "user_id = ?", u.ID)+h.countRows("xp_events", "user_id = ?", u.ID) != 0 {
			t.Fatal("a stand-alone evaluation recorded something")
		}
	})
}

// TestXELEvaluateProvider: with a configured provider (an httptest upstream speaking the OpenAI
// protocol) the evaluation is the provider's, validated and clamped, and names it; a malformed
// reply is retried once; malformed twice or a failing upstream falls back to the offline
// evaluator. Every response is a valid XELEvaluationResponse (the harness checks the schema).
func TestXELEvaluateProvider(t *testing.T) {
	var script atomic.Value // func(n int) llmReply, n counting requests from 1
	var calls atomic.Int32
	fake := newFakeLLM(t, func(req map[string]any) llmReply {
		return script.Load().(func(int) llmReply)(int(calls.Add(1)))
	})
	say := func(texts ...string) func(int) llmReply {
		return func(n int) llmReply { return llmReply{Text: texts[min(n, len(texts))-1]} }
	}
	cases := []struct {
		name   string
		kind   string
		script func(int) llmReply
		calls  int
		check  func(t *testing.T, r api.XELEvaluationResponse)
	}{
		{"valid", "writing", say(rubricReply("writing", 72, "B2", 72)), 1, func(t *testing.T, r api.XELEvaluationResponse) {
			if r.Provider != "openai" || r.Model != "gpt-5-mini" || r.OverallScore != 72 || r.CefrEstimate != api.B2 ||
				r.Criteria[0].Feedback != "Model feedback on task_achievement." || r.Feedback != "Model summary." {
				t.Errorf("%+v", r)
			}
		}},
		{"out of range", "writing", say(rubricReply("writing", 250, "B7", `"300/100"`)), 1, func(t *testing.T, r api.XELEvaluationResponse) {
			for _, c := range r.Criteria {
				if c.Score != 100 {
					t.Errorf("%s: %v", c.Criterion, c.Score)
				}
			}
			if r.Provider != "openai" || r.OverallScore != 100 || r.CefrEstimate != api.C2 {
				t.Errorf("%+v", r)
			}
		}},
		{"negative scores", "writing", say(rubricReply("writing", -5, "A1", -40)), 1, func(t *testing.T, r api.XELEvaluationResponse) {
			if r.OverallScore != 0 || r.Criteria[1].Score != 0 || r.Provider != "openai" {
				t.Errorf("%+v", r)
			}
		}},
		{"speaking: no pronunciation", "speaking", say(rubricReply("speaking", 60, "B1", 60)), 1, func(t *testing.T, r api.XELEvaluationResponse) {
			if len(r.Criteria) != 5 || r.Criteria[4].Criterion != evaluate.Fluency {
				t.Errorf("criteria %+v", r.Criteria)
			}
		}},
		{"malformed, then valid", "writing", say(`{"overall_score": 64, "criteria": [`, rubricReply("writing", 66, "B2", 66)), 2, func(t *testing.T, r api.XELEvaluationResponse) {
			if r.Provider != "openai" || r.OverallScore != 66 {
				t.Errorf("%+v", r)
			}
		}},
		{"malformed twice", "writing", say("This is a B1 text, I think.", `{"comment": "nice"}`), 2, func(t *testing.T, r api.XELEvaluationResponse) {
			if r.Provider != evaluate.OfflineProvider || r.Model != evaluate.OfflineModel {
				t.Errorf("%+v", r)
			}
		}},
		{"upstream failing", "writing", func(int) llmReply { return llmReply{Status: 500} }, 1, func(t *testing.T, r api.XELEvaluationResponse) {
			if r.Provider != evaluate.OfflineProvider || len(r.Criteria) != 4 {
				t.Errorf("%+v", r)
			}
		}},
	}
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("evalai")
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				script.Store(tc.script)
				calls.Store(0)
				before := len(fake.requests())
				r := h.evaluate(u, map[string]any{"kind": tc.kind, "text": weekendC1, "prompt": weekendPrompt, "target_level": "C1"})
				tc.check(t, r)
				if n := len(fake.requests()) - before; n != tc.calls {
					t.Errorf("%d upstream calls, want %d", n, tc.calls)
				}
			})
		}
		// The rubric and the learner's text, as data, reached the upstream.
		req := fake.requests()[0]
		if p := promptOf(req); !strings.Contains(p, "examiner") || !strings.Contains(p, "<learner_text>") || !strings.Contains(p, "canal") {
			t.Fatalf("upstream prompt:\n%s", p)
		}
		if h.countRows("xel_submissions", "user_id = ?", u.ID) != 0 {
			t.Fatal("a stand-alone evaluation recorded a submission")
		}
	}, fake.option(), func(c *server.Config) { c.XELEvaluationsPerHour = 1000 })
}

// TestXELEvaluatedTasks: a writing task's answer is evaluated against the task's brief by the
// configured provider, passes at the task's pass mark with its XP and learning time under
// xel_evaluation, shows the model answer only once passed; offline, an off-topic answer does
// not pass. AI evaluations are counted against the hourly allowance (429 past it).
func TestXELEvaluatedTasks(t *testing.T) {
	var overall atomic.Int32
	fake := newFakeLLM(t, func(map[string]any) llmReply {
		s := overall.Load()
		return llmReply{Text: rubricReply("writing", float64(s), evaluate.LevelForScore(float64(s)), s)}
	})
	wm, _ := builtin(t).ModuleBySlug("a2-writing-emails-to-friends")
	_, task := xelTask(t, "a2-writing-emails-to-friends", "last-weekend")
	brief, _ := task.Brief()
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("writer")
		overall.Store(20)
		var r api.XELSubmissionResult
		h.submit(u, wm, task, map[string]any{"answer": weekendA1, "duration_seconds": 300}).expect(t, 201).decode(t, &r)
		ev := r.Evaluation.MustGet()
		if r.Passed || r.XpAwarded != 0 || r.Correct.IsSpecified() && !r.Correct.IsNull() || ev.Provider != "openai" ||
			!strings.HasPrefix(r.Feedback, "Not passed yet") || strings.Contains(r.Feedback, brief.ModelAnswer) || !r.ExpectedAnswer.IsNull() {
			t.Fatalf("below the pass mark: %+v", r)
		}
		p := promptOf(fake.requests()[0])
		if !strings.Contains(p, "last weekend") || !strings.Contains(p, fmt.Sprint(brief.MinWords)) {
			t.Fatalf("the task's brief did not reach the evaluator:\n%s", p)
		}
		overall.Store(70)
		h.submit(u, wm, task, map[string]any{"answer": weekendA1, "duration_seconds": 300}).expect(t, 201).decode(t, &r)
		if want := xelprogress.TaskXP(task, wm.Level, false); !r.Passed || r.XpAwarded != want || r.Attempt != 2 ||
			!strings.HasPrefix(r.Feedback, "Passed") || !strings.Contains(r.Feedback, brief.ModelAnswer) || r.Score != 70 {
			t.Fatalf("at the pass mark: %+v, want %d XP", r, want)
		}
		if n := h.countRows("xp_events", "user_id = ? AND source = ? AND xp > 0", u.ID, "xel_evaluation"); n != 1 {
			t.Fatalf("%d xel_evaluation XP events", n)
		}
		d := h.dashboard(u) // estimates A1 (20) and B2 (70): the lower median
		if d.LevelEstimate.MustGet() != api.A1 || !strings.Contains(d.LevelBasis, "median estimate of your last 2") {
			t.Fatalf("level from evaluations: %v %q", d.LevelEstimate, d.LevelBasis)
		}

		// Past the hourly allowance of AI evaluations: 429, on both routes, nothing recorded.
		h.restart(fake.option(), func(c *server.Config) { c.XELEvaluationsPerHour = 3 })
		h.evaluate(u, map[string]any{"kind": "writing", "text": weekendA1})
		r429 := h.raw("POST", "/api/xel/evaluate", map[string]any{"kind": "writing", "text": weekendA1}, u.auth()).expect(t, 429)
		if r429.errorBody(t).Error != "evaluation_rate_limited" || r429.Header.Get("Retry-After") == "" {
			t.Fatalf("429: %s %v", r429.Body, r429.Header)
		}
		h.submit(u, wm, task, map[string]any{"answer": weekendA1}).expect(t, 429)
		if n := h.countRows("xel_submissions", "user_id = ?", u.ID); n != 2 {
			t.Fatalf("%d submissions recorded", n)
		}
		// Objective tasks and offline evaluations are never limited.
		_, obj := xelTask(t, "a2-writing-emails-to-friends", "but")
		h.answer(u, wm, obj, obj.ExpectedAnswer())
		h.restart(func(c *server.Config) { c.XELEvaluationsPerHour = 1 })
		for range 3 {
			if r := h.evaluate(u, map[string]any{"kind": "writing", "text": weekendA1}); r.Provider != evaluate.OfflineProvider {
				t.Fatalf("offline: %+v", r)
			}
		}

		// Offline: an answer off the task's topic does not pass.
		v := h.newUser("offtopic")
		h.submit(v, wm, task, map[string]any{"answer": offTopicC1}).expect(t, 201).decode(t, &r)
		if r.Passed || r.Evaluation.MustGet().Provider != evaluate.OfflineProvider {
			t.Fatalf("off-topic answer: score %v, %+v", r.Score, r.Evaluation.MustGet().Criteria)
		}
	}, fake.option())
}
