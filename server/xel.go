package server

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/internal/evaluate"
	"github.com/xentree/xentree-api/internal/ledger"
	"github.com/xentree/xentree-api/internal/xel"
	"github.com/xentree/xentree-api/internal/xelprogress"
	"github.com/xentree/xentree-api/store"
)

// XELAPI implements Xentree English: the catalogue with the caller's progress, graded
// submissions, evaluations of writing and speaking, and the dashboard.
//
// Content and grading keys come from the catalogue embedded in the binary (internal/xel), so
// what a replica shows and how it grades always agree. The database mirrors the catalogue's
// public content (store.SyncXELCatalogue: at start, and once per process before the first
// submission) so that progress and history reference rows that outlive a task's removal from
// the files. The rules of passing, XP, learning time, the level estimate and the recommendation
// are internal/xelprogress; docs/xel.md documents them.
type XELAPI struct {
	*deps
	cat *xel.Catalogue
	// synced: this process has mirrored cat into the database (syncMu serializes the attempt).
	synced atomic.Bool
	syncMu sync.Mutex
}

// recentActivity is how many submissions the dashboard lists.
const recentActivity = 10

func (c *Config) xelDefaults() {
	if c.XELEvaluationsPerHour == 0 {
		c.XELEvaluationsPerHour = 60
	}
}

func newXELAPI(d *deps) (*XELAPI, error) {
	cat := d.cfg.XELCatalogue
	if cat == nil {
		var err error
		if cat, err = xel.Builtin(); err != nil {
			return nil, fmt.Errorf("xel catalogue: %w", err)
		}
	}
	return &XELAPI{deps: d, cat: cat}, nil
}

// SyncXEL mirrors the configured Xentree English catalogue (the shipped one by default) into
// the database; the binary calls it at start, after migrating. Idempotent, and safe with
// replicas starting together.
func SyncXEL(ctx context.Context, cfg Config, st *store.Store, log *slog.Logger) error {
	a, err := newXELAPI(&deps{cfg: cfg, store: st, log: log})
	if err != nil {
		return err
	}
	return a.sync(ctx)
}

// sync mirrors the catalogue once per process; a failure is retried by the next caller.
func (a *XELAPI) sync(ctx context.Context) error {
	if a.synced.Load() {
		return nil
	}
	a.syncMu.Lock()
	defer a.syncMu.Unlock()
	if a.synced.Load() {
		return nil
	}
	rep, err := a.store.SyncXELCatalogue(ctx, a.cat)
	if err != nil {
		return err
	}
	a.log.Info("xel catalogue", "modules", rep.Modules, "tasks", rep.Tasks, "modules_written", rep.ModulesWritten,
		"tasks_written", rep.TasksWritten, "modules_retired", rep.ModulesRetired, "tasks_retired", rep.TasksRetired)
	a.synced.Store(true)
	return nil
}

// ListXELModules lists the catalogue, filtered and paginated, with the caller's progress.
func (a *XELAPI) ListXELModules(ctx context.Context, req api.ListXELModulesRequestObject) (api.ListXELModulesResponseObject, error) {
	u, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	var level xel.Level
	var skill xel.Skill
	if p := req.Params.Level; p != nil {
		level = xel.Level(*p)
	}
	if p := req.Params.Skill; p != nil {
		skill = xel.Skill(*p)
	}
	mods := a.cat.Filter(level, skill)
	limit, offset := page(req.Params.Limit, req.Params.Offset)
	mods = mods[min(offset, len(mods)):min(offset+limit, len(mods))]
	recs, err := a.records(ctx, u.ID, "")
	if err != nil {
		return nil, err
	}
	out := make(api.ListXELModules200JSONResponse, len(mods))
	for i, m := range mods {
		out[i] = moduleSummary(m, xelprogress.Module(m, recs))
	}
	return out, nil
}

// GetXELModule returns a current module with its tasks (never their answers) and the caller's
// progress on each.
func (a *XELAPI) GetXELModule(ctx context.Context, req api.GetXELModuleRequestObject) (api.GetXELModuleResponseObject, error) {
	u, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	m, ok := a.cat.Module(req.ModuleId)
	if !ok {
		return nil, xel.ErrModuleNotFound
	}
	recs, err := a.records(ctx, u.ID, m.ID.String())
	if err != nil {
		return nil, err
	}
	s := moduleSummary(m, xelprogress.Module(m, recs))
	out := api.GetXELModule200JSONResponse{Id: s.Id, Title: s.Title, Description: s.Description, Level: s.Level,
		Skill: s.Skill, TaskCount: s.TaskCount, EstimatedMinutes: s.EstimatedMinutes, Progress: s.Progress,
		Tasks: make([]api.XELTask, len(m.Tasks))}
	if mat := m.Material; mat != nil {
		out.Material.Set(api.XELMaterial{Kind: api.XELMaterialKind(mat.Kind), Title: mat.Title, Text: mat.Text})
	}
	for i, t := range m.Tasks {
		out.Tasks[i] = taskView(t, recs[t.ID])
	}
	return out, nil
}

// graded is the outcome of grading or evaluating one submission, before it is recorded.
type graded struct {
	score    float64
	correct  *bool // nil for evaluated tasks
	passed   bool
	feedback string
	expected *string
	eval     *evaluate.Result
}

// SubmitXELTask grades a submission and records it with its XP and learning time, in one
// transaction that first locks the caller's record on the task: of any number of concurrent
// submissions, exactly one is the task's first pass and earns its XP.
func (a *XELAPI) SubmitXELTask(ctx context.Context, req api.SubmitXELTaskRequestObject) (api.SubmitXELTaskResponseObject, error) {
	u, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	b := req.Body
	m, task, err := a.cat.Task(b.ModuleId, b.TaskId)
	if err != nil {
		return nil, err
	}
	sub := xel.Submission{OrderedItems: derefSlice(b.OrderedItems)}
	if b.Answer != nil {
		sub.Answer = *b.Answer
	}
	// Grading and evaluation happen before the transaction: an AI provider may take seconds.
	var g graded
	if task.Evaluated() {
		g, err = a.evaluateTask(ctx, u.ID, task, sub)
	} else {
		g, err = gradeTask(task, sub)
	}
	if err != nil {
		return nil, err
	}
	if err := a.sync(ctx); err != nil {
		return nil, err
	}
	claimed := 0
	if b.DurationSeconds != nil {
		claimed = *b.DurationSeconds
	}
	var out api.SubmitXELTask201JSONResponse
	err = a.store.Tx(ctx, func(tx *store.Store) error {
		var err error
		out, err = a.record(ctx, tx, u.ID, m, task, sub, g, claimed)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// record writes one graded submission in tx: the caller's task record (locked first), the
// ledger events (the first pass's XP, else learning time alone; the module bonus with the pass
// that completes it) and the submission itself.
func (a *XELAPI) record(ctx context.Context, tx *store.Store, userID string, m *xel.Module, task *xel.Task,
	sub xel.Submission, g graded, claimed int) (api.SubmitXELTask201JSONResponse, error) {
	var out api.SubmitXELTask201JSONResponse
	moduleID, taskID := m.ID.String(), task.ID.String()
	p, err := tx.LockXELTaskProgress(ctx, userID, moduleID, taskID)
	if err != nil {
		return out, err
	}
	now := a.now()
	last, err := tx.LastXELSubmissionAt(ctx, userID)
	if err != nil {
		return out, err
	}
	var since *time.Duration
	if last != nil {
		d := now.Sub(*last)
		since = &d
	}
	seconds := xelprogress.ActiveSeconds(task.Type, claimed, since)
	// The claimed time ends now; it counts only where no other submission or session of the
	// user counted the same wall-clock time (learningWindow), the rest of the window is spent.
	floor, ceiling, err := learningWindow(ctx, tx, a.cfg, userID, now)
	if err != nil {
		return out, err
	}
	if !floor.IsZero() {
		seconds = min(seconds, max(int(ceiling.Sub(floor)/time.Second), 0))
	}
	if err := tx.AdvanceLearningTime(ctx, userID, latest(floor, ceiling)); err != nil {
		return out, err
	}
	source := ledger.SourceXELTask
	if task.Evaluated() {
		source = ledger.SourceXELEvaluation
	}
	subID := store.NewID()
	firstPass := g.passed && p.PassedAt == nil
	xp := 0
	award := func(ev ledger.Event) error {
		if ev.Source == "" {
			ev.Source = source
		}
		ev.Kind, ev.OccurredAt = ledger.KindQuiz, now
		res, err := a.ledger.Award(ctx, tx, userID, ev)
		if err == nil && !res.Replayed {
			xp += res.AwardedXP
		}
		return err
	}
	switch {
	case firstPass:
		score := g.score
		err = award(ledger.Event{BaseXP: xelprogress.TaskXP(task, m.Level, p.Revealed), ActiveSeconds: seconds,
			IdempotencyKey: "xel_task:" + taskID, TaskCompleted: true, Score: &score})
	case seconds > 0: // a retry, or a task passed before: learning time, nothing a quest counts
		err = award(ledger.Event{ActiveSeconds: seconds, IdempotencyKey: "xel_submission:" + subID})
	}
	if err != nil {
		return out, err
	}
	p.Attempts++
	if p.BestScore == nil || g.score > *p.BestScore {
		p.BestScore = &g.score
	}
	p.Revealed = p.Revealed || !g.passed && !task.Evaluated()
	if firstPass {
		p.PassedAt = &now
	}
	if p.FirstAt == nil {
		p.FirstAt = &now
	}
	p.LastAt = &now
	// Read under the ledger's lock of the user (held since the pass's award): a concurrent pass
	// of another task of the module either committed before (and is seen here) or waits for
	// this transaction (and will see this one), so exactly one of them completes the module.
	rows, err := tx.XELTaskRecords(ctx, userID, moduleID)
	if err != nil {
		return out, err
	}
	recs := recordsOf(rows)
	recs[task.ID] = recordOf(*p) // this submission, not saved yet
	mp := xelprogress.Module(m, recs)
	if firstPass && mp.Status == xelprogress.Completed {
		if err := award(ledger.Event{Source: ledger.SourceXELTask, BaseXP: xelprogress.ModuleBonusXP, IdempotencyKey: "xel_module:" + moduleID}); err != nil {
			return out, err
		}
	}
	p.XPAwarded += xp
	if err := tx.SaveXELTaskProgress(ctx, p); err != nil {
		return out, err
	}
	row := &store.XELSubmission{ID: subID, UserID: userID, ModuleID: moduleID, TaskID: taskID, Attempt: p.Attempts,
		Score: g.score, Correct: g.correct, Passed: g.passed, Feedback: g.feedback, ExpectedAnswer: g.expected,
		XPAwarded: xp, ActiveSeconds: seconds, CreatedAt: now}
	if sub.Answer != "" {
		row.Answer = &sub.Answer
	}
	if sub.OrderedItems != nil {
		row.OrderedItems = jsonText(sub.OrderedItems)
	}
	if e := g.eval; e != nil {
		row.Evaluation, row.CEFREstimate = jsonText(evaluationOf(*e)), &e.CEFREstimate
		row.EvaluatorProvider, row.EvaluatorModel = &e.Provider, &e.Model
	}
	if err := tx.CreateXELSubmission(ctx, row); err != nil {
		return out, err
	}
	out = api.SubmitXELTask201JSONResponse{SubmissionId: uuidOf(subID), ModuleId: m.ID, TaskId: task.ID,
		Correct: nullableOf(g.correct), Passed: g.passed, Score: float32(g.score), Feedback: g.feedback,
		ExpectedAnswer: nullableOf(g.expected), Attempt: p.Attempts, XpAwarded: xp,
		ModuleProgress: moduleProgress(mp), TaskProgress: taskProgress(recordOf(*p)), SubmittedAt: now}
	if g.eval != nil {
		out.Evaluation.Set(evaluationOf(*g.eval))
	} else {
		out.Evaluation.SetNull()
	}
	return out, nil
}

// gradeTask grades an objective task (an invalid submission is a 422, recorded nowhere).
func gradeTask(task *xel.Task, sub xel.Submission) (graded, error) {
	res, err := xel.Grade(task, sub)
	if err != nil {
		return graded{}, err
	}
	return graded{score: res.Score, correct: &res.Correct, passed: res.Correct, feedback: res.Feedback, expected: &res.Expected}, nil
}

// evaluateTask evaluates a writing or speaking answer against the task's brief.
func (a *XELAPI) evaluateTask(ctx context.Context, userID string, task *xel.Task, sub xel.Submission) (graded, error) {
	switch {
	case len(sub.OrderedItems) > 0:
		return graded{}, &xel.SubmissionError{Reason: "a " + string(task.Type) + " task takes the text in answer, not ordered_items"}
	case strings.TrimSpace(sub.Answer) == "":
		what := "your text"
		if task.Type == xel.SpeakingTask {
			what = "the transcript of your spoken answer"
		}
		return graded{}, &xel.SubmissionError{Reason: "send " + what + " in answer"}
	}
	brief, _ := task.Brief()
	kind := evaluate.Writing
	if brief.Kind == xel.SpeakingTask {
		kind = evaluate.Speaking
	}
	res, err := a.evaluate(ctx, userID, evaluate.Input{Kind: kind, Text: sub.Answer, Prompt: brief.Prompt,
		TargetLevel: string(brief.TargetLevel), MinWords: brief.MinWords, MaxWords: brief.MaxWords})
	if err != nil {
		return graded{}, err
	}
	ta := 0.0
	for _, c := range res.Criteria {
		if c.Criterion == evaluate.TaskAchievement {
			ta = c.Score
		}
	}
	mark := xelprogress.PassMark(brief.TargetLevel)
	passed := xelprogress.EvaluationPasses(brief.TargetLevel, res.OverallScore, ta)
	var verdict string
	switch {
	case passed:
		verdict = fmt.Sprintf("Passed: your answer was assessed at %s (%g/100); this %s task's pass mark is %g.", res.CEFREstimate, res.OverallScore, brief.TargetLevel, mark)
	case res.OverallScore < mark:
		verdict = fmt.Sprintf("Not passed yet: your answer was assessed at %s (%g/100); this %s task needs %g.", res.CEFREstimate, res.OverallScore, brief.TargetLevel, mark)
	default:
		verdict = fmt.Sprintf("Not passed yet: task achievement is %g/100; an answer passes when it addresses the prompt (%d or more).", ta, xelprogress.MinTaskAchievement)
	}
	parts := []string{verdict, res.Feedback, task.Explanation()}
	if passed && brief.ModelAnswer != "" { // shown once passed: before, it would be an answer to copy
		parts = append(parts, "A model answer to compare with yours: "+brief.ModelAnswer)
	}
	return graded{score: res.OverallScore, passed: passed, feedback: strings.Join(parts, "\n\n"), eval: &res}, nil
}

// errEvaluationRateLimited is the 429 of the hourly allowance of AI evaluations.
func errEvaluationRateLimited(wait int) *APIError {
	return &APIError{Status: http.StatusTooManyRequests, Code: "evaluation_rate_limited",
		Message: "Hourly allowance of AI evaluations used up; try again later", RetryAfter: wait}
}

// evaluate runs the evaluator: the configured AI providers (counted against the caller's hourly
// allowance), else the offline one (free, not counted). It never fails on the provider's
// account: any provider failure falls back to the offline result.
func (a *XELAPI) evaluate(ctx context.Context, userID string, in evaluate.Input) (evaluate.Result, error) {
	llm := a.ai.Remote()
	if llm != nil {
		n, reset, err := a.store.HitRateLimit(ctx, "xel_evaluations:"+userID, time.Hour)
		if err != nil {
			return evaluate.Result{}, err
		}
		if n > a.cfg.XELEvaluationsPerHour {
			return evaluate.Result{}, errEvaluationRateLimited(max(int(reset.Sub(a.now()).Seconds()+0.999), 1))
		}
	}
	res := evaluate.Evaluator{Provider: llm}.Evaluate(ctx, in)
	if res.FallbackReason != "" && llm != nil {
		a.log.Warn("xel evaluation fell back to the offline evaluator", "reason", res.FallbackReason)
	}
	return res, nil
}

// errInvalidWordTarget: min_words and max_words must come together, min below max.
var errInvalidWordTarget = unprocessable("invalid_word_target", "Give both min_words and max_words, with min_words below max_words")

// EvaluateXEL evaluates free writing or a transcript. It records nothing: answers to a module's
// tasks go through SubmitXELTask.
func (a *XELAPI) EvaluateXEL(ctx context.Context, req api.EvaluateXELRequestObject) (api.EvaluateXELResponseObject, error) {
	u, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	b := req.Body
	in := evaluate.Input{Kind: evaluate.Kind(b.Kind), Text: b.Text}
	if b.Prompt != nil {
		in.Prompt = *b.Prompt
	}
	if b.TargetLevel != nil {
		in.TargetLevel = string(*b.TargetLevel)
	}
	if (b.MinWords == nil) != (b.MaxWords == nil) || b.MinWords != nil && *b.MinWords >= *b.MaxWords {
		return nil, errInvalidWordTarget
	}
	if b.MinWords != nil {
		in.MinWords, in.MaxWords = *b.MinWords, *b.MaxWords
	}
	res, err := a.evaluate(ctx, u.ID, in)
	if err != nil {
		return nil, err
	}
	return api.EvaluateXEL200JSONResponse(evaluationOf(res)), nil
}

// GetXELDashboard sums up the caller's Xentree English.
func (a *XELAPI) GetXELDashboard(ctx context.Context, _ api.GetXELDashboardRequestObject) (api.GetXELDashboardResponseObject, error) {
	u, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	recs, err := a.records(ctx, u.ID, "")
	if err != nil {
		return nil, err
	}
	estimates, err := a.store.RecentXELEstimates(ctx, u.ID, xelprogress.EvaluationWindow)
	if err != nil {
		return nil, err
	}
	acts, err := a.store.RecentXELActivity(ctx, u.ID, recentActivity)
	if err != nil {
		return nil, err
	}
	results := xelprogress.Results(a.cat.Modules(), recs)
	sum := xelprogress.Summarize(results, recs)
	levels := make([]xel.Level, len(estimates))
	for i, l := range estimates {
		levels[i] = xel.Level(l)
	}
	est := xelprogress.EstimateLevel(results, levels)
	rec := xelprogress.Recommend(results, est.Level)
	out := api.GetXELDashboard200JSONResponse{LevelBasis: est.Basis, ModulesCompleted: sum.Completed,
		ModulesInProgress: sum.InProgress, AverageScore: nullableOf(score32(sum.AverageScore)),
		Skills: make([]api.XELSkillProgress, len(sum.Skills)), RecentActivity: make([]api.XELRecentActivity, len(acts)),
		RecommendationReason: rec.Reason}
	if est.Level != "" {
		out.LevelEstimate.Set(api.CEFRLevel(est.Level))
	} else {
		out.LevelEstimate.SetNull()
	}
	for i, s := range sum.Skills {
		out.Skills[i] = api.XELSkillProgress{Skill: api.XELSkill(s.Skill), CompletedModules: s.Completed,
			InProgressModules: s.InProgress, TotalModules: s.Total, AverageScore: nullableOf(score32(s.AverageScore))}
	}
	for i, r := range acts {
		out.RecentActivity[i] = api.XELRecentActivity{ModuleId: uuidOf(r.ModuleID), ModuleTitle: r.ModuleTitle,
			TaskId: uuidOf(r.TaskID), TaskType: api.XELTaskType(r.TaskType), Score: float32(r.Score), Passed: r.Passed,
			XpAwarded: r.XPAwarded, SubmittedAt: r.CreatedAt}
	}
	out.NextRecommendedModule.SetNull()
	if rec.Module != nil {
		out.NextRecommendedModule.Set(moduleSummary(rec.Module, xelprogress.Module(rec.Module, recs)))
	}
	return out, nil
}

// records reads the caller's task records (all, or one module's) keyed by task id.
func (a *XELAPI) records(ctx context.Context, userID, moduleID string) (map[uuid.UUID]xelprogress.TaskRecord, error) {
	rows, err := a.store.XELTaskRecords(ctx, userID, moduleID)
	if err != nil {
		return nil, err
	}
	return recordsOf(rows), nil
}

func recordsOf(rows []store.XELTaskRecord) map[uuid.UUID]xelprogress.TaskRecord {
	out := make(map[uuid.UUID]xelprogress.TaskRecord, len(rows))
	for _, r := range rows {
		out[uuidOf(r.TaskID)] = xelprogress.TaskRecord{Attempts: r.Attempts, BestScore: r.BestScore, Passed: r.Passed, LastAt: r.LastAt}
	}
	return out
}

// recordOf is the record a submission just saved.
func recordOf(p store.XELTaskProgress) xelprogress.TaskRecord {
	rec := xelprogress.TaskRecord{Attempts: p.Attempts, Passed: p.PassedAt != nil}
	if p.BestScore != nil {
		rec.BestScore = *p.BestScore
	}
	if p.LastAt != nil {
		rec.LastAt = *p.LastAt
	}
	return rec
}

func moduleSummary(m *xel.Module, p xelprogress.ModuleProgress) api.XELModuleSummary {
	return api.XELModuleSummary{Id: m.ID, Title: m.Title, Description: m.Description, Level: api.CEFRLevel(m.Level),
		Skill: api.XELSkill(m.Skill), TaskCount: len(m.Tasks), EstimatedMinutes: m.EstimatedMinutes, Progress: moduleProgress(p)}
}

func moduleProgress(p xelprogress.ModuleProgress) api.XELModuleProgress {
	return api.XELModuleProgress{Status: api.XELModuleProgressStatus(p.Status), CompletedTasks: p.CompletedTasks,
		BestScore: nullableOf(score32(p.BestScore))}
}

func taskProgress(r xelprogress.TaskRecord) api.XELTaskProgress {
	out := api.XELTaskProgress{Attempts: r.Attempts, Passed: r.Passed}
	if r.Attempts > 0 {
		out.BestScore.Set(float32(r.BestScore))
	} else {
		out.BestScore.SetNull()
	}
	return out
}

// taskView is the public view of a task (internal/xel keeps the answer key out of it).
func taskView(t *xel.Task, r xelprogress.TaskRecord) api.XELTask {
	p := t.Public()
	v := api.XELTask{Id: p.ID, Type: api.XELTaskType(p.Type), Prompt: p.Prompt, MaxScore: p.MaxScore, Progress: taskProgress(r)}
	if p.Options != nil {
		v.Options.Set(p.Options)
	} else {
		v.Options.SetNull()
	}
	v.Blanks, v.MinWords, v.MaxWords = positiveOrNil(p.Blanks), positiveOrNil(p.MinWords), positiveOrNil(p.MaxWords)
	if p.TargetLevel != "" {
		l := api.CEFRLevel(p.TargetLevel)
		v.TargetLevel = &l
	}
	return v
}

func evaluationOf(r evaluate.Result) api.XELEvaluationResponse {
	out := api.XELEvaluationResponse{OverallScore: float32(r.OverallScore), CefrEstimate: api.CEFRLevel(r.CEFREstimate),
		Criteria: make([]api.XELCriterionScore, len(r.Criteria)), Feedback: r.Feedback, Provider: r.Provider, Model: r.Model}
	for i, c := range r.Criteria {
		out.Criteria[i] = api.XELCriterionScore{Criterion: c.Criterion, Score: float32(c.Score), Feedback: c.Feedback}
	}
	return out
}

func score32(p *float64) *float32 {
	if p == nil {
		return nil
	}
	v := float32(*p)
	return &v
}

func positiveOrNil(n int) *int {
	if n <= 0 {
		return nil
	}
	return &n
}

// jsonText encodes v for a JSON text column.
func jsonText(v any) *string {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	s := string(b)
	return &s
}
