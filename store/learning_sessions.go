package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// LearningSession is a timed stretch of learning in one conversation. Active time is credited
// in whole seconds up to CreditedUntil; LastActivityAt is the client's last sign of life, from
// which the idle timeout counts.
type LearningSession struct {
	ID             string `gorm:"primaryKey"`
	ConversationID string
	UserID         string
	Status         string
	StartedAt      time.Time
	LastActivityAt time.Time
	CreditedUntil  time.Time
	ActiveSeconds  int64
	EndedAt        *time.Time
	EndReason      *string
}

// Learning session statuses and end reasons.
const (
	LearningActive = "active"
	LearningEnded  = "ended"

	LearningReasonEnded       = "ended"
	LearningReasonIdleTimeout = "idle_timeout"
)

var (
	// ErrLearningSessionActive: the conversation already has an active session (a backstop:
	// callers look under the conversation's lock first).
	ErrLearningSessionActive = fmt.Errorf("%w: the conversation already has an active learning session", ErrConflict)
	// ErrLearningSessionClosed: a write meant for an active session found it ended.
	ErrLearningSessionClosed = errors.New("learning session is no longer active")
)

// LatestLearningSession returns the conversation's most recently started session (ErrNotFound
// when it has none). A conversation's active session, if any, is always its latest.
func (s *Store) LatestLearningSession(ctx context.Context, conversationID string) (*LearningSession, error) {
	var ls LearningSession
	err := s.q(ctx).Where("conversation_id = ?", conversationID).Order("started_at DESC, id DESC").Take(&ls).Error
	return &ls, notFound(err)
}

// CreateLearningSession inserts an active session starting now. The partial unique index allows
// one active session per conversation: a second is ErrLearningSessionActive.
func (s *Store) CreateLearningSession(ctx context.Context, ls *LearningSession) error {
	now := s.Now()
	ls.ID, ls.Status, ls.ActiveSeconds, ls.EndedAt, ls.EndReason = NewID(), LearningActive, 0, nil, nil
	ls.StartedAt, ls.LastActivityAt, ls.CreditedUntil = now, now, now
	err := s.q(ctx).Create(ls).Error
	if IsDuplicate(err) {
		return ErrLearningSessionActive
	}
	return err
}

// CreditLearningSession writes an active session's credit (credited_until, active_seconds) and
// last activity; ErrLearningSessionClosed when it is no longer active.
func (s *Store) CreditLearningSession(ctx context.Context, ls *LearningSession) error {
	err := affected(s.q(ctx).Model(&LearningSession{}).Where("id = ? AND status = ?", ls.ID, LearningActive).Updates(map[string]any{
		"credited_until": ls.CreditedUntil, "active_seconds": ls.ActiveSeconds, "last_activity_at": ls.LastActivityAt,
	}))
	if errors.Is(err, ErrNotFound) {
		return ErrLearningSessionClosed
	}
	return err
}

// CloseLearningSession ends an active session for reason at endedAt. It is conditional on the
// session being active, so of any number of callers exactly one closes it; the others get
// ErrLearningSessionClosed.
func (s *Store) CloseLearningSession(ctx context.Context, ls *LearningSession, reason string, endedAt time.Time) error {
	err := affected(s.q(ctx).Model(&LearningSession{}).Where("id = ? AND status = ?", ls.ID, LearningActive).Updates(map[string]any{
		"status": LearningEnded, "end_reason": reason, "ended_at": endedAt,
	}))
	if errors.Is(err, ErrNotFound) {
		return ErrLearningSessionClosed
	}
	if err != nil {
		return err
	}
	ls.Status, ls.EndReason, ls.EndedAt = LearningEnded, &reason, &endedAt
	return nil
}

// IdleLearningSessions returns up to limit active sessions whose last activity is before
// cutoff, oldest first, holding their conversations' locks until the transaction ends. On
// PostgreSQL conversations locked by a request in flight are skipped (SKIP LOCKED): that
// request closes its session itself, and the sweep never waits behind user traffic or takes
// locks in an order requests do not.
func (s *Store) IdleLearningSessions(ctx context.Context, cutoff time.Time, limit int) ([]LearningSession, error) {
	rows := []LearningSession{}
	q := `SELECT s.* FROM learning_sessions s JOIN conversations c ON c.id = s.conversation_id
WHERE s.status = ? AND s.last_activity_at < ? ORDER BY s.last_activity_at, s.id LIMIT ?`
	if s.dialect == Postgres {
		q += " FOR UPDATE OF c SKIP LOCKED"
	}
	err := s.q(ctx).Raw(q, LearningActive, cutoff, limit).Scan(&rows).Error
	return rows, err
}

// LockLearningTime takes userID's row lock (the Live lock, LockLiveUser) until the transaction
// ends and returns the instant up to which the user's learning time has been credited by any
// session, chat or Live (zero when never). A credit starts no earlier than it.
func (s *Store) LockLearningTime(ctx context.Context, userID string) (time.Time, error) {
	if _, err := s.LockLiveUser(ctx, userID); err != nil {
		return time.Time{}, err
	}
	var row struct{ LearningCreditedUntil *time.Time }
	if err := s.q(ctx).Table("users").Select("learning_credited_until").Where("id = ?", userID).Take(&row).Error; err != nil {
		return time.Time{}, notFound(err)
	}
	if row.LearningCreditedUntil == nil {
		return time.Time{}, nil
	}
	return row.LearningCreditedUntil.UTC(), nil
}

// AdvanceLearningTime moves userID's credited instant forward to until (never back). The
// caller holds the user's lock (LockLearningTime or LockLiveUser).
func (s *Store) AdvanceLearningTime(ctx context.Context, userID string, until time.Time) error {
	return s.q(ctx).Table("users").Where("id = ? AND (learning_credited_until IS NULL OR learning_credited_until < ?)", userID, until.UTC()).
		Update("learning_credited_until", until.UTC()).Error
}
