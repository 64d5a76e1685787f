package store

import (
	"context"

	"github.com/xentree/xentree-api/internal/civil"
)

// XPDay is a user's rollup of one local day, kept in step with the ledger in the same
// transaction as each event: every read (pulse, week, profile, quests) comes from here.
type XPDay struct {
	UserID    string     `gorm:"primaryKey"`
	LocalDate civil.Date `gorm:"primaryKey"`
	// XP is all XP awarded on the day: XPSegment + XPQuiz + XPReward.
	XP            int64 `gorm:"column:xp"`
	XPSegment     int64 `gorm:"column:xp_segment"`
	XPQuiz        int64 `gorm:"column:xp_quiz"`
	XPReward      int64 `gorm:"column:xp_reward"`
	ActiveSeconds int64
	// Events counts ledger entries, quest rewards included.
	Events            int64
	TasksCompleted    int64
	HighScores        int64
	SessionsCompleted int64
	// FreezeCovered: a missed day a streak freeze covered.
	FreezeCovered bool
}

// TableName maps XPDay to xp_daily.
func (XPDay) TableName() string { return "xp_daily" }

// AddXPDay adds d's counters to its day's rollup (creating it) in one atomic upsert and
// returns the day's totals after the addition.
func (s *Store) AddXPDay(ctx context.Context, d XPDay) (XPDay, error) {
	var out XPDay
	err := s.q(ctx).Raw(`INSERT INTO xp_daily (user_id, local_date, xp, xp_segment, xp_quiz, xp_reward, active_seconds,
  events, tasks_completed, high_scores, sessions_completed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (user_id, local_date) DO UPDATE SET
  xp = xp_daily.xp + excluded.xp, xp_segment = xp_daily.xp_segment + excluded.xp_segment,
  xp_quiz = xp_daily.xp_quiz + excluded.xp_quiz, xp_reward = xp_daily.xp_reward + excluded.xp_reward,
  active_seconds = xp_daily.active_seconds + excluded.active_seconds, events = xp_daily.events + excluded.events,
  tasks_completed = xp_daily.tasks_completed + excluded.tasks_completed,
  high_scores = xp_daily.high_scores + excluded.high_scores,
  sessions_completed = xp_daily.sessions_completed + excluded.sessions_completed
RETURNING *`, d.UserID, d.LocalDate, d.XP, d.XPSegment, d.XPQuiz, d.XPReward, d.ActiveSeconds,
		d.Events, d.TasksCompleted, d.HighScores, d.SessionsCompleted).Scan(&out).Error
	return out, err
}

// XPDays lists userID's rollups from..to (inclusive), in date order; days without a row had
// no activity.
func (s *Store) XPDays(ctx context.Context, userID string, from, to civil.Date) ([]XPDay, error) {
	var rows []XPDay
	err := s.q(ctx).Where("user_id = ? AND local_date >= ? AND local_date <= ?", userID, from, to).
		Order("local_date").Find(&rows).Error
	return rows, err
}

// XPDayOf is userID's rollup of day (zero counters when there is none).
func (s *Store) XPDayOf(ctx context.Context, userID string, day civil.Date) (XPDay, error) {
	rows, err := s.XPDays(ctx, userID, day, day)
	if err != nil || len(rows) == 0 {
		return XPDay{UserID: userID, LocalDate: day}, err
	}
	return rows[0], nil
}

// ActiveXPDates lists every day on which userID earned XP, ascending (the streak's input).
func (s *Store) ActiveXPDates(ctx context.Context, userID string) ([]civil.Date, error) {
	var dates []civil.Date
	err := s.q(ctx).Model(&XPDay{}).Where("user_id = ? AND xp > 0", userID).Order("local_date").
		Pluck("local_date", &dates).Error
	return dates, err
}

// CoverXPDays marks days as covered by streak freezes (creating empty rollups for them).
// With reset, every other covered mark of the user is cleared first (after a replay).
func (s *Store) CoverXPDays(ctx context.Context, userID string, days []civil.Date, reset bool) error {
	if reset {
		if err := s.q(ctx).Model(&XPDay{}).Where("user_id = ? AND freeze_covered", userID).
			Update("freeze_covered", false).Error; err != nil {
			return err
		}
	}
	for _, d := range days {
		if err := s.q(ctx).Exec(`INSERT INTO xp_daily (user_id, local_date, freeze_covered) VALUES (?, ?, true)
ON CONFLICT (user_id, local_date) DO UPDATE SET freeze_covered = true`, userID, d).Error; err != nil {
			return err
		}
	}
	return nil
}

// XPActivityDay is the part of a daily rollup the calendar views read.
type XPActivityDay struct {
	LocalDate     civil.Date
	XP            int64
	ActiveSeconds int64
	FreezeCovered bool
}

// XPActivity lists userID's days from..to (inclusive) that have a rollup, in date order:
// four columns scanned without reflection, since the pulse reads up to 365 of them per call.
func (s *Store) XPActivity(ctx context.Context, userID string, from, to civil.Date) ([]XPActivityDay, error) {
	rows, err := s.q(ctx).Raw(`SELECT local_date, xp, active_seconds, freeze_covered FROM xp_daily
WHERE user_id = ? AND local_date >= ? AND local_date <= ? ORDER BY local_date`, userID, from, to).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]XPActivityDay, 0, to.DaysSince(from)+1)
	for rows.Next() {
		var d XPActivityDay
		if err := rows.Scan(&d.LocalDate, &d.XP, &d.ActiveSeconds, &d.FreezeCovered); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
