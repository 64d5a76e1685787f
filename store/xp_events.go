package store

import (
	"context"
	"time"

	"github.com/xentree/xentree-api/internal/civil"
)

// XPEvent is one entry of the append-only XP ledger: an award of XP and/or learning time, or
// a quest reward (Kind "reward", ParentID naming the event that completed the quest).
type XPEvent struct {
	ID             string `gorm:"primaryKey"`
	UserID         string
	IdempotencyKey string
	Source         string
	Kind           string
	// BaseXP is what the caller asked for; XP what was awarded (BaseXP × MultiplierPct/100).
	BaseXP        int `gorm:"column:base_xp"`
	MultiplierPct int
	XP            int `gorm:"column:xp"`
	ActiveSeconds int
	// Tokens granted with this entry; TotalXPAfter is the user's total XP after it.
	Tokens           int
	TotalXPAfter     int64 `gorm:"column:total_xp_after"`
	TaskCompleted    bool
	Score            *float64
	SessionCompleted bool
	QuestKey         *string
	ParentID         *string
	// BoosterUntil is set on the event that earned a booster (completed the day's quests).
	BoosterUntil *time.Time
	OccurredAt   time.Time
	// LocalDate is the user's calendar day of OccurredAt in Timezone, fixed when written.
	LocalDate civil.Date
	Timezone  string
	CreatedAt time.Time
}

// TableName maps XPEvent to xp_events.
func (XPEvent) TableName() string { return "xp_events" }

// InsertXPEvents appends events in one statement (ids and created_at filled). A taken
// (user, idempotency key) is a unique violation (IsDuplicate).
func (s *Store) InsertXPEvents(ctx context.Context, events []XPEvent) error {
	now := s.Now()
	for i := range events {
		if events[i].ID == "" {
			events[i].ID = NewID()
		}
		events[i].CreatedAt = now
	}
	return s.q(ctx).Create(&events).Error
}

// XPEventByKey finds userID's event with the idempotency key (ErrNotFound when none).
func (s *Store) XPEventByKey(ctx context.Context, userID, key string) (*XPEvent, error) {
	var rows []XPEvent
	if err := s.q(ctx).Where("user_id = ? AND idempotency_key = ?", userID, key).Limit(1).Find(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, ErrNotFound
	}
	return &rows[0], nil
}

// XPEventsByParent lists the quest rewards an event triggered, in order.
func (s *Store) XPEventsByParent(ctx context.Context, parentID string) ([]XPEvent, error) {
	var rows []XPEvent
	err := s.q(ctx).Where("parent_id = ?", parentID).Order("id").Find(&rows).Error
	return rows, err
}

// XPDaysFromEvents aggregates userID's raw events into daily totals for from..to: what the
// rollups must equal (consistency checks), and the baseline the rollups are measured against.
// Scores of at least highScore count in HighScores.
func (s *Store) XPDaysFromEvents(ctx context.Context, userID string, from, to civil.Date, highScore float64) ([]XPDay, error) {
	var rows []XPDay
	// Any zone is within ±14 h of UTC: this instant window holds every event of those dates,
	// so the (user_id, occurred_at) index narrows the scan.
	lo, hi := from.UTCMidnight().Add(-36*time.Hour), to.UTCMidnight().Add(60*time.Hour)
	err := s.q(ctx).Raw(`SELECT user_id, local_date,
  SUM(xp) AS xp,
  SUM(CASE WHEN kind = 'segment' THEN xp ELSE 0 END) AS xp_segment,
  SUM(CASE WHEN kind = 'quiz' THEN xp ELSE 0 END) AS xp_quiz,
  SUM(CASE WHEN kind = 'reward' THEN xp ELSE 0 END) AS xp_reward,
  SUM(active_seconds) AS active_seconds,
  COUNT(*) AS events,
  SUM(CASE WHEN task_completed THEN 1 ELSE 0 END) AS tasks_completed,
  SUM(CASE WHEN score >= ? THEN 1 ELSE 0 END) AS high_scores,
  SUM(CASE WHEN session_completed THEN 1 ELSE 0 END) AS sessions_completed
FROM xp_events
WHERE user_id = ? AND occurred_at >= ? AND occurred_at < ? AND local_date >= ? AND local_date <= ?
GROUP BY user_id, local_date ORDER BY local_date`, highScore, userID, lo, hi, from, to).Scan(&rows).Error
	return rows, err
}
