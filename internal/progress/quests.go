package progress

import (
	"crypto/sha256"
	"encoding/binary"

	"github.com/xentree/xentree-api/internal/civil"
)

// DayTotals are one local day's counters, as the daily rollup keeps them.
type DayTotals struct {
	// XP is all XP awarded on the day: XPSegment + XPQuiz + XPReward.
	XP, XPSegment, XPQuiz, XPReward int64
	ActiveSeconds                   int64
	// Events counts ledger events (quest rewards included).
	Events int64
	// TasksCompleted, HighScores (score ≥ HighScore) and SessionsCompleted count the facts
	// quests look at.
	TasksCompleted, HighScores, SessionsCompleted int64
}

// LearningXP is the day's XP from learning, rewards excluded (quests count this, so one
// quest's reward can never complete another).
func (t DayTotals) LearningXP() int64 { return t.XPSegment + t.XPQuiz }

// Minus is t less o, counter by counter (the day before an event, from the day after it).
func (t DayTotals) Minus(o DayTotals) DayTotals {
	return DayTotals{XP: t.XP - o.XP, XPSegment: t.XPSegment - o.XPSegment, XPQuiz: t.XPQuiz - o.XPQuiz,
		XPReward: t.XPReward - o.XPReward, ActiveSeconds: t.ActiveSeconds - o.ActiveSeconds, Events: t.Events - o.Events,
		TasksCompleted: t.TasksCompleted - o.TasksCompleted, HighScores: t.HighScores - o.HighScores,
		SessionsCompleted: t.SessionsCompleted - o.SessionsCompleted}
}

// HighScore is the score (percent) from which a result counts as a high score.
const HighScore = 80

// QuestsPerDay is how many quests each user gets per local day.
const QuestsPerDay = 3

// Metric names what a quest measures in a day's totals.
type Metric string

// The metrics quests measure.
const (
	MetricLearningXP Metric = "learning_xp"
	MetricSegmentXP  Metric = "segment_xp"
	MetricQuizXP     Metric = "quiz_xp"
	MetricMinutes    Metric = "minutes"
	MetricTasks      Metric = "tasks"
	MetricHighScores Metric = "high_scores"
	MetricSessions   Metric = "sessions"
	MetricStreak     Metric = "streak"
)

// Quest is one kind of daily quest.
type Quest struct {
	Key         string
	Title       string
	Description string
	Metric      Metric
	Target      int
	RewardXP    int
}

// QuestPool is every quest a day can draw. Changing it changes future draws: only append, and
// never on a day users are mid-quest if it can be helped (draws index into it).
var QuestPool = []Quest{
	{"earn_50_xp", "Earn 50 XP", "Earn 50 XP from lessons, tasks or conversations.", MetricLearningXP, 50, 20},
	{"earn_150_xp", "Earn 150 XP", "Earn 150 XP from lessons, tasks or conversations.", MetricLearningXP, 150, 40},
	{"segment_40_xp", "Learn something new", "Earn 40 XP from learning segments: conversations, modules or live sessions.", MetricSegmentXP, 40, 25},
	{"quiz_30_xp", "Quiz yourself", "Earn 30 XP from quizzes and graded tasks.", MetricQuizXP, 30, 25},
	{"practice_15_minutes", "Practise for 15 minutes", "Spend 15 minutes of active learning time.", MetricMinutes, 15, 20},
	{"practice_30_minutes", "Practise for 30 minutes", "Spend 30 minutes of active learning time.", MetricMinutes, 30, 35},
	{"complete_3_tasks", "Complete 3 tasks", "Complete 3 Xentree English tasks.", MetricTasks, 3, 25},
	{"score_80_twice", "Score 80% twice", "Score 80% or more on two tasks or evaluations.", MetricHighScores, 2, 30},
	{"finish_session", "Finish a session", "Finish a chat or live session.", MetricSessions, 1, 20},
	{"keep_streak", "Keep your streak", "Earn any XP today to keep your streak alive.", MetricStreak, 1, 10},
}

// DailyQuests are the user's three quests of a local day: drawn from QuestPool by a hash of
// the user and the date, so the same user and day always get the same quests, in the same
// order, on every replica and after restarts. No two measure the same thing.
func DailyQuests(userID string, day civil.Date) []Quest {
	sum := sha256.Sum256([]byte("xentree-quests-v1|" + userID + "|" + day.String()))
	candidates := append([]Quest(nil), QuestPool...)
	out := make([]Quest, 0, QuestsPerDay)
	for i := 0; i < QuestsPerDay && len(candidates) > 0; i++ {
		pick := candidates[binary.BigEndian.Uint64(sum[i*8:])%uint64(len(candidates))]
		out = append(out, pick)
		kept := candidates[:0]
		for _, q := range candidates {
			if q.Metric != pick.Metric {
				kept = append(kept, q)
			}
		}
		candidates = kept
	}
	return out
}

// Progress is how far the day's totals take the quest, capped at its target.
func (q Quest) Progress(t DayTotals) int {
	var v int64
	switch q.Metric {
	case MetricLearningXP:
		v = t.LearningXP()
	case MetricSegmentXP:
		v = t.XPSegment
	case MetricQuizXP:
		v = t.XPQuiz
	case MetricMinutes:
		v = t.ActiveSeconds / 60
	case MetricTasks:
		v = t.TasksCompleted
	case MetricHighScores:
		v = t.HighScores
	case MetricSessions:
		v = t.SessionsCompleted
	case MetricStreak:
		if t.LearningXP() > 0 {
			v = 1
		}
	}
	return int(min(v, int64(q.Target)))
}

// Done reports whether the day's totals complete the quest.
func (q Quest) Done(t DayTotals) bool { return q.Progress(t) >= q.Target }

// Completed are the quests that going from before to after completes (not done before, done
// after): the ones whose reward is due now.
func Completed(quests []Quest, before, after DayTotals) []Quest {
	var out []Quest
	for _, q := range quests {
		if !q.Done(before) && q.Done(after) {
			out = append(out, q)
		}
	}
	return out
}

// AllDone reports whether every quest is done.
func AllDone(quests []Quest, t DayTotals) bool {
	for _, q := range quests {
		if !q.Done(t) {
			return false
		}
	}
	return len(quests) > 0
}
