package store

import (
	"context"
	"time"
)

// RateLimit is a fixed-window counter shared by every replica through the database.
type RateLimit struct {
	Bucket      string `gorm:"primaryKey"`
	WindowStart time.Time
	Count       int
}

// HitRateLimit counts one event in bucket's current window (a window opens at the first event
// after the previous one closed) and returns the count and when the window closes. One atomic
// upsert, so concurrent replicas never lose a hit.
func (s *Store) HitRateLimit(ctx context.Context, bucket string, window time.Duration) (int, time.Time, error) {
	now := s.Now()
	stale := now.Add(-window)
	var row RateLimit
	err := s.q(ctx).Raw(`INSERT INTO rate_limits (bucket, window_start, count) VALUES (?, ?, 1)
ON CONFLICT (bucket) DO UPDATE SET
  count = CASE WHEN rate_limits.window_start <= ? THEN 1 ELSE rate_limits.count + 1 END,
  window_start = CASE WHEN rate_limits.window_start <= ? THEN excluded.window_start ELSE rate_limits.window_start END
RETURNING bucket, window_start, count`, bucket, now, stale, stale).Scan(&row).Error
	if err != nil {
		return 0, time.Time{}, err
	}
	return row.Count, row.WindowStart.Add(window), nil
}

// ResetRateLimit clears bucket.
func (s *Store) ResetRateLimit(ctx context.Context, bucket string) error {
	return s.q(ctx).Where("bucket = ?", bucket).Delete(&RateLimit{}).Error
}

// PruneRateLimits deletes buckets whose window opened before olderThan ago (closed windows).
func (s *Store) PruneRateLimits(ctx context.Context, olderThan time.Duration) (int64, error) {
	res := s.q(ctx).Where("window_start < ?", s.Now().Add(-olderThan)).Delete(&RateLimit{})
	return res.RowsAffected, res.Error
}
