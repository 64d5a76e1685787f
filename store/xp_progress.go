package store

import (
	"context"
	"time"

	"github.com/xentree/xentree-api/internal/civil"
)

// XPProgress is a user's running progress state: totals, streak and booster. Every award
// locks it first, so a user's awards are serialized and their totals exact.
type XPProgress struct {
	UserID        string `gorm:"primaryKey"`
	TotalXP       int64  `gorm:"column:total_xp"`
	Tokens        int64
	StreakCurrent int
	StreakLongest int
	// StreakLast is the latest active day (nil before the first).
	StreakLast      *civil.Date
	FreezesHeld     int
	FreezesUsed     int
	BoosterPct      int
	BoosterStartsAt *time.Time
	BoosterEndsAt   *time.Time
	UpdatedAt       time.Time
}

// TableName maps XPProgress to xp_progress.
func (XPProgress) TableName() string { return "xp_progress" }

// lockedProgress is the progress row with its user's timezone.
type lockedProgress struct {
	XPProgress
	Timezone string
}

// LockXPProgress loads userID's progress row for update (row-locked until commit on
// PostgreSQL), creating it at the first award, together with the user's timezone. Call it
// inside a transaction. An unknown user is ErrNotFound.
func (s *Store) LockXPProgress(ctx context.Context, userID string) (*XPProgress, string, error) {
	q := `SELECT xp_progress.*, users.timezone FROM xp_progress JOIN users ON users.id = xp_progress.user_id
WHERE xp_progress.user_id = ?`
	if s.dialect == Postgres {
		q += " FOR UPDATE OF xp_progress"
	}
	for attempt := 0; attempt < 2; attempt++ {
		var rows []lockedProgress
		if err := s.q(ctx).Raw(q, userID).Scan(&rows).Error; err != nil {
			return nil, "", err
		}
		if len(rows) == 1 {
			return &rows[0].XPProgress, rows[0].Timezone, nil
		}
		// First award: create the row (a concurrent first award may win; then lock theirs).
		res := s.q(ctx).Exec(`INSERT INTO xp_progress (user_id, updated_at) SELECT id, ? FROM users WHERE id = ?
ON CONFLICT (user_id) DO NOTHING`, s.Now(), userID)
		if res.Error != nil {
			return nil, "", res.Error
		}
	}
	return nil, "", ErrNotFound
}

// SaveXPProgress writes every column of p (the row must exist: LockXPProgress made it).
func (s *Store) SaveXPProgress(ctx context.Context, p *XPProgress) error {
	p.UpdatedAt = s.Now()
	return affected(s.q(ctx).Model(&XPProgress{}).Where("user_id = ?", p.UserID).Updates(map[string]any{
		"total_xp": p.TotalXP, "tokens": p.Tokens,
		"streak_current": p.StreakCurrent, "streak_longest": p.StreakLongest, "streak_last": p.StreakLast,
		"freezes_held": p.FreezesHeld, "freezes_used": p.FreezesUsed,
		"booster_pct": p.BoosterPct, "booster_starts_at": p.BoosterStartsAt, "booster_ends_at": p.BoosterEndsAt,
		"updated_at": p.UpdatedAt,
	}))
}

// XPProgressOf reads userID's progress; a user who never earned anything gets the zero state.
func (s *Store) XPProgressOf(ctx context.Context, userID string) (*XPProgress, error) {
	var rows []XPProgress
	if err := s.q(ctx).Where("user_id = ?", userID).Limit(1).Find(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return &XPProgress{UserID: userID}, nil
	}
	return &rows[0], nil
}
