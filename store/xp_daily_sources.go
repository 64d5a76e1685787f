package store

import (
	"context"

	"github.com/xentree/xentree-api/internal/civil"
)

// XPDaySource is a user's rollup of one local day and one ledger source (learning time and
// XP per source), kept in step with the ledger like XPDay.
type XPDaySource struct {
	UserID        string     `gorm:"primaryKey"`
	LocalDate     civil.Date `gorm:"primaryKey"`
	Source        string     `gorm:"primaryKey"`
	XP            int64      `gorm:"column:xp"`
	ActiveSeconds int64
	Events        int64
}

// TableName maps XPDaySource to xp_daily_sources.
func (XPDaySource) TableName() string { return "xp_daily_sources" }

// AddXPDaySource adds d's counters to its day-and-source rollup in one atomic upsert.
func (s *Store) AddXPDaySource(ctx context.Context, d XPDaySource) error {
	return s.q(ctx).Exec(`INSERT INTO xp_daily_sources (user_id, local_date, source, xp, active_seconds, events)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (user_id, local_date, source) DO UPDATE SET
  xp = xp_daily_sources.xp + excluded.xp, active_seconds = xp_daily_sources.active_seconds + excluded.active_seconds,
  events = xp_daily_sources.events + excluded.events`,
		d.UserID, d.LocalDate, d.Source, d.XP, d.ActiveSeconds, d.Events).Error
}

// XPSourceTotals sums userID's per-source rollups over from..to (LocalDate left zero).
func (s *Store) XPSourceTotals(ctx context.Context, userID string, from, to civil.Date) ([]XPDaySource, error) {
	var rows []XPDaySource
	err := s.q(ctx).Model(&XPDaySource{}).
		Select("user_id, source, SUM(xp) AS xp, SUM(active_seconds) AS active_seconds, SUM(events) AS events").
		Where("user_id = ? AND local_date >= ? AND local_date <= ?", userID, from, to).
		Group("user_id, source").Order("source").Scan(&rows).Error
	return rows, err
}
