package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm/clause"
)

// LiveSession is one Xentree Live session. Time is charged in whole seconds up to ChargedUntil;
// LastHeartbeatAt is the client's last sign of life, from which idle expiry counts.
type LiveSession struct {
	ID              string `gorm:"primaryKey"`
	UserID          string
	SessionType     string
	Status          string
	StartedAt       time.Time
	LastHeartbeatAt time.Time
	ChargedUntil    time.Time
	UsedSeconds     int64
	EndedAt         *time.Time
	EndReason       *string
}

// Live session statuses and end reasons.
const (
	LiveActive  = "active"
	LiveEnded   = "ended"
	LiveExpired = "expired"

	LiveReasonEnded          = "ended"
	LiveReasonQuotaExhausted = "quota_exhausted"
	LiveReasonIdleTimeout    = "idle_timeout"
)

// LiveUsage is the seconds a user was charged in one period (calendar month, UTC).
type LiveUsage struct {
	UserID      string    `gorm:"primaryKey"`
	PeriodStart time.Time `gorm:"primaryKey"`
	UsedSeconds int64
}

// TableName maps LiveUsage to live_usage.
func (LiveUsage) TableName() string { return "live_usage" }

var (
	// ErrLiveSessionActive: the user already has an active session.
	ErrLiveSessionActive = errors.New("a live session is already active")
	// ErrLiveQuota: a charge would take a period's usage over the quota. The caller computes
	// charges within the quota under the user's lock, so this is a backstop, never an answer.
	ErrLiveQuota = errors.New("live usage would exceed the quota")
	// ErrLiveSessionClosed: a write meant for an active session found it closed.
	ErrLiveSessionClosed = errors.New("live session is no longer active")
)

// LockLiveUser takes userID's Live lock until the transaction ends and returns the user's plan.
// Every write to a user's sessions and usage holds it, so they serialize per user across
// replicas. On PostgreSQL it is the user's row lock FOR NO KEY UPDATE (inserts referencing the
// user, which take FOR KEY SHARE, do not wait for it); SQLite write transactions are serialized
// already (BEGIN IMMEDIATE).
func (s *Store) LockLiveUser(ctx context.Context, userID string) (string, error) {
	q := s.q(ctx)
	if s.dialect == Postgres {
		q = q.Clauses(clause.Locking{Strength: "NO KEY UPDATE"})
	}
	var u User
	err := q.Select("id", "plan").Where("id = ?", userID).Take(&u).Error
	return u.Plan, notFound(err)
}

// ActiveLiveSession returns userID's active session (ErrNotFound when there is none).
func (s *Store) ActiveLiveSession(ctx context.Context, userID string) (*LiveSession, error) {
	var ls LiveSession
	err := s.q(ctx).Where("user_id = ? AND status = ?", userID, LiveActive).Take(&ls).Error
	return &ls, notFound(err)
}

// LiveSessionOf returns session id if it belongs to userID (ErrNotFound otherwise).
func (s *Store) LiveSessionOf(ctx context.Context, id, userID string) (*LiveSession, error) {
	var ls LiveSession
	err := s.q(ctx).Where("id = ? AND user_id = ?", id, userID).Take(&ls).Error
	return &ls, notFound(err)
}

// CreateLiveSession inserts an active session starting now. The partial unique index allows
// one active session per user: a second is ErrLiveSessionActive.
func (s *Store) CreateLiveSession(ctx context.Context, ls *LiveSession) error {
	now := s.Now()
	ls.ID = NewID()
	ls.Status = LiveActive
	ls.StartedAt, ls.LastHeartbeatAt, ls.ChargedUntil = now, now, now
	err := s.q(ctx).Create(ls).Error
	if IsDuplicate(err) {
		return ErrLiveSessionActive
	}
	return err
}

// LiveUsageIn returns the seconds userID was charged in the period starting at period.
func (s *Store) LiveUsageIn(ctx context.Context, userID string, period time.Time) (int64, error) {
	var rows []LiveUsage
	err := s.q(ctx).Where("user_id = ? AND period_start = ?", userID, period.UTC()).Find(&rows).Error
	if err != nil || len(rows) == 0 {
		return 0, err
	}
	return rows[0].UsedSeconds, nil
}

// AddLiveUsage adds seconds to userID's usage in period, in one conditional upsert that refuses
// (ErrLiveQuota) to take the period over quota.
func (s *Store) AddLiveUsage(ctx context.Context, userID string, period time.Time, seconds, quota int64) error {
	if seconds <= 0 {
		return nil
	}
	if seconds > quota {
		return ErrLiveQuota
	}
	res := s.q(ctx).Exec(`INSERT INTO live_usage (user_id, period_start, used_seconds) VALUES (?, ?, ?)
ON CONFLICT (user_id, period_start) DO UPDATE SET used_seconds = live_usage.used_seconds + excluded.used_seconds
WHERE live_usage.used_seconds + excluded.used_seconds <= ?`, userID, period.UTC(), seconds, quota)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return ErrLiveQuota
	}
	return nil
}

// ChargeLiveSession writes an active session's charge (charged_until, used_seconds) and last
// heartbeat; ErrLiveSessionClosed when it is no longer active.
func (s *Store) ChargeLiveSession(ctx context.Context, ls *LiveSession) error {
	err := affected(s.q(ctx).Model(&LiveSession{}).Where("id = ? AND status = ?", ls.ID, LiveActive).Updates(map[string]any{
		"charged_until": ls.ChargedUntil, "used_seconds": ls.UsedSeconds, "last_heartbeat_at": ls.LastHeartbeatAt,
	}))
	if errors.Is(err, ErrNotFound) {
		return ErrLiveSessionClosed
	}
	return err
}

// CloseLiveSession moves an active session to status (LiveEnded or LiveExpired) with reason,
// ended at endedAt. It is conditional on the session being active, so of any number of callers
// exactly one closes it; the others get ErrLiveSessionClosed.
func (s *Store) CloseLiveSession(ctx context.Context, ls *LiveSession, status, reason string, endedAt time.Time) error {
	err := affected(s.q(ctx).Model(&LiveSession{}).Where("id = ? AND status = ?", ls.ID, LiveActive).Updates(map[string]any{
		"status": status, "end_reason": reason, "ended_at": endedAt,
	}))
	if errors.Is(err, ErrNotFound) {
		return ErrLiveSessionClosed
	}
	if err != nil {
		return err
	}
	ls.Status, ls.EndReason, ls.EndedAt = status, &reason, &endedAt
	return nil
}
