// Package xelprogress holds the rules of a learner's progress in Xentree English as pure
// functions over the catalogue (internal/xel) and the learner's records: when an evaluated task
// is passed, what a first pass earns, how much learning time a submission may record, a
// module's status and score, and the dashboard's summary, level estimate and recommendation.
// No database, no clock: callers pass what they read and the time they hold. docs/xel.md
// ("Progress") documents every rule.
package xelprogress

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/xentree/xentree-api/internal/xel"
)

// TaskRecord is a learner's record on one task.
type TaskRecord struct {
	Attempts  int
	BestScore float64 // meaningful when Attempts > 0
	Passed    bool
	LastAt    time.Time // the latest submission
}

// Status is where a learner stands in a module.
type Status string

// The module statuses.
const (
	NotStarted Status = "not_started"
	InProgress Status = "in_progress"
	Completed  Status = "completed"
)

// ModuleProgress is a learner's progress in a module, over its current tasks (records of
// retired tasks are history and count for nothing here).
type ModuleProgress struct {
	Status         Status
	CompletedTasks int
	AttemptedTasks int
	// BestScore is the mean of the best score on each attempted task, to one decimal; nil
	// before any attempt.
	BestScore *float64
	// LastAt is the latest submission to one of the module's tasks (zero before any).
	LastAt time.Time
}

// Module computes a learner's progress in m from their task records (keyed by task id).
func Module(m *xel.Module, records map[uuid.UUID]TaskRecord) ModuleProgress {
	var p ModuleProgress
	var sum float64
	for _, t := range m.Tasks {
		r, ok := records[t.ID]
		if !ok || r.Attempts == 0 {
			continue
		}
		p.AttemptedTasks++
		sum += r.BestScore
		if r.Passed {
			p.CompletedTasks++
		}
		if r.LastAt.After(p.LastAt) {
			p.LastAt = r.LastAt
		}
	}
	switch {
	case p.AttemptedTasks == 0:
		p.Status = NotStarted
		return p
	case p.CompletedTasks == len(m.Tasks):
		p.Status = Completed
	default:
		p.Status = InProgress
	}
	p.BestScore = ptr(round1(sum / float64(p.AttemptedTasks)))
	return p
}

// Passing evaluated answers.
const (
	// MinTaskAchievement is the task-achievement score an evaluated answer needs to pass,
	// whatever its overall score: an answer off the prompt's topic, or copied from it, does
	// not pass however good its English. (Short on-topic A1 answers score from about 30: the
	// criterion also weighs development, which a 40-word answer can barely show.)
	MinTaskAchievement = 25
	// MinPassMark is the lowest pass mark (an A1 task): above what empty, one-word, copied
	// and off-topic answers score (under 15), below what on-topic A1 answers score (30 up).
	MinPassMark = 25
)

// passMarks are the lower bounds of each level's band of overall scores (the evaluator's
// LevelForScore), at least MinPassMark.
var passMarks = map[xel.Level]float64{xel.A1: MinPassMark, xel.A2: 35, xel.B1: 50, xel.B2: 65, xel.C1: 78, xel.C2: 90}

// PassMark is the overall score a writing or speaking answer needs to pass a task aimed at
// target: the bottom of the target level's band, so an answer passes when the evaluator places
// it at the target level or above.
func PassMark(target xel.Level) float64 {
	if m, ok := passMarks[target]; ok {
		return m
	}
	return MinPassMark
}

// EvaluationPasses reports whether an evaluated answer passes a task aimed at target.
func EvaluationPasses(target xel.Level, overall, taskAchievement float64) bool {
	return overall >= PassMark(target) && taskAchievement >= MinTaskAchievement
}

// XP of a first pass.
const (
	ObjectiveXP         = 10 // an objective task of an A1 module
	ObjectiveXPPerLevel = 2  // more per level above A1
	EvaluatedXP         = 20 // a writing or speaking task of an A1 module
	EvaluatedXPPerLevel = 5
	// RevealedPercent is what an objective task earns when it is passed after a submission
	// that showed its answer (rounded up): the answer was read, not known.
	RevealedPercent = 25
	// ModuleBonusXP is awarded once, with the pass that first completes a module.
	ModuleBonusXP = 25
)

// TaskXP is what the first pass of t, a task of a module of the given level, earns. revealed
// says an earlier submission of the task showed its expected answer (objective tasks only;
// writing and speaking feedback never gives an answer to copy).
func TaskXP(t *xel.Task, level xel.Level, revealed bool) int {
	rank := max(level.Rank(), 0)
	if t.Evaluated() {
		return EvaluatedXP + EvaluatedXPPerLevel*rank
	}
	xp := ObjectiveXP + ObjectiveXPPerLevel*rank
	if revealed {
		xp = (xp*RevealedPercent + 99) / 100
	}
	return xp
}

// Bounds on the learning time one submission records, per task type.
const (
	MaxObjectiveSeconds = 10 * 60
	MaxSpeakingSeconds  = 15 * 60
	MaxWritingSeconds   = 30 * 60
)

// MaxSeconds is the learning time one submission of a task of type t may record.
func MaxSeconds(t xel.TaskType) int {
	switch t {
	case xel.WritingTask:
		return MaxWritingSeconds
	case xel.SpeakingTask:
		return MaxSpeakingSeconds
	}
	return MaxObjectiveSeconds
}

// ActiveSeconds is the learning time a submission records: the duration the client claims,
// bounded by the task type's maximum and, when the learner submitted before, by the time since
// that submission (nobody spends longer on a task than has passed since the last one). since
// is nil for a learner's first submission.
func ActiveSeconds(t xel.TaskType, claimed int, since *time.Duration) int {
	s := min(max(claimed, 0), MaxSeconds(t))
	if since != nil {
		s = min(s, max(int(since.Seconds()), 0))
	}
	return s
}

// ModuleResult is a current module of the catalogue with the learner's progress in it.
type ModuleResult struct {
	Module   *xel.Module
	Progress ModuleProgress
}

// Results pairs every module with the learner's progress, in the order given.
func Results(modules []*xel.Module, records map[uuid.UUID]TaskRecord) []ModuleResult {
	out := make([]ModuleResult, len(modules))
	for i, m := range modules {
		out[i] = ModuleResult{Module: m, Progress: Module(m, records)}
	}
	return out
}

// SkillSummary is a learner's progress in one skill.
type SkillSummary struct {
	Skill                        xel.Skill
	Completed, InProgress, Total int
	// AverageScore is the mean best score over the attempted tasks of the skill's modules.
	AverageScore *float64
}

// Summary is the dashboard's overview of a learner's modules.
type Summary struct {
	Completed, InProgress int
	// AverageScore is the mean best score over every attempted current task; nil before any.
	AverageScore *float64
	Skills       []SkillSummary // every skill, in catalogue order
}

// Summarize sums up the results (every current module) with the task records.
func Summarize(results []ModuleResult, records map[uuid.UUID]TaskRecord) Summary {
	var s Summary
	type acc struct{ sum, n float64 }
	var all acc
	perSkill := map[xel.Skill]*acc{}
	bySkill := map[xel.Skill]*SkillSummary{}
	for _, sk := range xel.Skills {
		s.Skills = append(s.Skills, SkillSummary{Skill: sk})
		perSkill[sk] = &acc{}
	}
	for i := range s.Skills {
		bySkill[s.Skills[i].Skill] = &s.Skills[i]
	}
	for _, r := range results {
		sk := bySkill[r.Module.Skill]
		if sk == nil {
			continue
		}
		sk.Total++
		switch r.Progress.Status {
		case Completed:
			sk.Completed++
			s.Completed++
		case InProgress:
			sk.InProgress++
			s.InProgress++
		}
		for _, t := range r.Module.Tasks {
			if rec, ok := records[t.ID]; ok && rec.Attempts > 0 {
				a := perSkill[r.Module.Skill]
				a.sum, a.n = a.sum+rec.BestScore, a.n+1
				all.sum, all.n = all.sum+rec.BestScore, all.n+1
			}
		}
	}
	mean := func(a acc) *float64 {
		if a.n == 0 {
			return nil
		}
		return ptr(round1(a.sum / a.n))
	}
	s.AverageScore = mean(all)
	for i := range s.Skills {
		s.Skills[i].AverageScore = mean(*perSkill[s.Skills[i].Skill])
	}
	return s
}

// Level estimate.
const (
	// MinModuleScore is the module score from which a completed module shows its level.
	MinModuleScore = 70
	// EvaluationWindow is how many of the latest evaluated answers the estimate weighs.
	EvaluationWindow = 5
)

// Estimate is a learner's CEFR level estimate and how it was reached.
type Estimate struct {
	Level xel.Level // "" when there is no evidence yet
	Basis string
}

// EstimateLevel estimates a learner's level from two kinds of evidence: the highest level of a
// module completed with a score of at least MinModuleScore (it shows the learner works at that
// level), and the median CEFR estimate of their latest evaluated writing and speaking answers
// (a direct measure of what they produce; evaluations are newest first, only the first
// EvaluationWindow count, the lower median of an even number). The estimate is the higher of
// the two.
func EstimateLevel(results []ModuleResult, evaluations []xel.Level) Estimate {
	var modLevel xel.Level
	var modCount int
	var modSum float64
	for _, r := range results {
		p := r.Progress
		if p.Status != Completed || p.BestScore == nil || *p.BestScore < MinModuleScore {
			continue
		}
		switch l := r.Module.Level; {
		case l.Rank() > modLevel.Rank():
			modLevel, modCount, modSum = l, 1, *p.BestScore
		case l == modLevel:
			modCount++
			modSum += *p.BestScore
		}
	}
	var ranks []int
	for _, l := range evaluations[:min(len(evaluations), EvaluationWindow)] {
		if l.Valid() {
			ranks = append(ranks, l.Rank())
		}
	}
	var evalLevel xel.Level
	if len(ranks) > 0 {
		slices.Sort(ranks)
		evalLevel = xel.Levels[ranks[(len(ranks)-1)/2]]
	}
	modText := ""
	if modLevel != "" {
		modText = fmt.Sprintf("the highest level of a module you completed with a score of %d or more (%s, average %s)",
			MinModuleScore, plural(modCount, modLevel+" module"), fmtScore(modSum/float64(modCount)))
	}
	evalText := ""
	if evalLevel != "" {
		evalText = fmt.Sprintf("the median estimate of your last %s", plural(len(ranks), "evaluated writing or speaking answer"))
	}
	switch {
	case modLevel != "" && evalLevel != "":
		level := modLevel
		if evalLevel.Rank() > level.Rank() {
			level = evalLevel
		}
		return Estimate{Level: level, Basis: fmt.Sprintf("%s: the higher of %s, %s, and %s, %s.", level, modLevel, modText, evalLevel, evalText)}
	case modLevel != "":
		return Estimate{Level: modLevel, Basis: fmt.Sprintf("%s: %s.", modLevel, modText)}
	case evalLevel != "":
		return Estimate{Level: evalLevel, Basis: fmt.Sprintf("%s: %s.", evalLevel, evalText)}
	}
	return Estimate{Basis: fmt.Sprintf("No estimate yet: complete a module with a score of %d or more, or pass a writing or speaking task.", MinModuleScore)}
}

// Recommendation is the next module to work on and why (Module nil when every module is done).
type Recommendation struct {
	Module *xel.Module
	Reason string
}

// Recommend picks the next module: the module in progress the learner worked on last (finish
// what was started); else a module not started at the estimated level (A1 without an
// estimate), then the levels above it, then those below, choosing within a level the skill with
// the fewest modules started or completed (ties in catalogue order). results are every current
// module in catalogue order.
func Recommend(results []ModuleResult, estimate xel.Level) Recommendation {
	var last *ModuleResult
	for i := range results {
		r := &results[i]
		if r.Progress.Status == InProgress && (last == nil || r.Progress.LastAt.After(last.Progress.LastAt)) {
			last = r
		}
	}
	if last != nil {
		return Recommendation{Module: last.Module, Reason: fmt.Sprintf("Continue where you left off: %d of %d tasks passed in this module.",
			last.Progress.CompletedTasks, len(last.Module.Tasks))}
	}
	practised := map[xel.Skill]int{}
	for _, r := range results {
		if r.Progress.Status != NotStarted {
			practised[r.Module.Skill]++
		}
	}
	target := estimate
	if !target.Valid() {
		target = xel.A1
	}
	order := slices.Clone(xel.Levels[target.Rank():])
	for i := target.Rank() - 1; i >= 0; i-- {
		order = append(order, xel.Levels[i])
	}
	for _, level := range order {
		var best *xel.Module
		for _, r := range results {
			if r.Module.Level == level && r.Progress.Status == NotStarted &&
				(best == nil || practised[r.Module.Skill] < practised[best.Skill]) {
				best = r.Module
			}
		}
		if best == nil {
			continue
		}
		skill := fmt.Sprintf("%s, the skill you have practised least (%s started or completed)", best.Skill, plural(practised[best.Skill], "module"))
		var reason string
		switch {
		case level == target && !estimate.Valid() && len(practised) == 0:
			reason = fmt.Sprintf("Start here: an A1 module in %s. Complete modules with a score of %d or more to get a level estimate and recommendations at your level.", best.Skill, MinModuleScore)
		case level == target && !estimate.Valid():
			reason = fmt.Sprintf("An A1 module in %s. Complete modules with a score of %d or more to get a level estimate and recommendations at your level.", skill, MinModuleScore)
		case level == target:
			reason = fmt.Sprintf("A module at your estimated level, %s, in %s.", level, skill)
		case level.Rank() > target.Rank():
			done := string(target)
			if prev := xel.Levels[level.Rank()-1]; prev != target {
				done = string(target) + " to " + string(prev)
			}
			reason = fmt.Sprintf("Every %s module is started or completed: %s is the next step, in %s.", done, level, skill)
		default:
			reason = fmt.Sprintf("Every module from %s up is started or completed; this %s module is still open, in %s.", target, level, skill)
		}
		return Recommendation{Module: best, Reason: reason}
	}
	return Recommendation{Reason: "You have completed every module of the catalogue: well done. Evaluate free writing or speaking practice at /api/xel/evaluate."}
}

func ptr[T any](v T) *T { return &v }

func round1(x float64) float64 { return math.Round(x*10) / 10 }

func fmtScore(x float64) string { return fmt.Sprintf("%g", round1(x)) }

func plural[S ~string](n int, what S) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", what)
	}
	return fmt.Sprintf("%d %ss", n, what)
}
