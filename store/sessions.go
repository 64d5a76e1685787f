package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Session is one login: the access tokens it issues carry its id, so revoking it ends them at once.
type Session struct {
	ID        string `gorm:"primaryKey"`
	UserID    string
	ClientIP  string
	UserAgent string
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt *time.Time
}

// TableName maps Session to auth_sessions.
func (Session) TableName() string { return "auth_sessions" }

// RefreshToken is one link of a session's rotation chain; only its hash is stored.
type RefreshToken struct {
	ID        string `gorm:"primaryKey"`
	SessionID string
	ParentID  *string
	TokenHash string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// Refresh outcomes that are not plain success.
var (
	// ErrTokenInvalid: unknown, expired, or its session is revoked or expired.
	ErrTokenInvalid = errors.New("refresh token invalid")
	// ErrTokenReused: a rotated token was presented again after its successor was used;
	// the session has been revoked.
	ErrTokenReused = errors.New("refresh token reused")
	// ErrTokenSuperseded: a concurrent refresh already rotated this token moments ago
	// (two tabs racing). Nothing is revoked; the caller should use the winner's tokens.
	ErrTokenSuperseded = errors.New("refresh token superseded")
)

// ErrCredentialsChanged: the password changed between its verification and the session's
// creation (a login racing a password change); no session is created.
var ErrCredentialsChanged = errors.New("credentials changed")

// CreateSession starts sess (its ExpiresAt set by the caller) with its first refresh token,
// stored as a hash. Refresh tokens live as long as their session. verifiedHash is the password
// hash the login checked: if the user's hash is no longer it, a concurrent password change won
// and the session is refused, so "a password change ends every other session" has no gap.
func (s *Store) CreateSession(ctx context.Context, sess *Session, tokenHash, verifiedHash string) error {
	now := s.Now()
	sess.ID = NewID()
	sess.CreatedAt = now
	return s.Tx(ctx, func(tx *Store) error {
		var u User
		if err := tx.forUpdate(ctx).Select("id", "password_hash", "disabled_at").Where("id = ?", sess.UserID).Take(&u).Error; err != nil {
			return notFound(err)
		}
		if u.PasswordHash != verifiedHash || u.DisabledAt != nil {
			return ErrCredentialsChanged
		}
		if err := tx.q(ctx).Create(sess).Error; err != nil {
			return err
		}
		return tx.q(ctx).Create(&RefreshToken{
			ID: NewID(), SessionID: sess.ID, TokenHash: tokenHash,
			CreatedAt: now, ExpiresAt: sess.ExpiresAt,
		}).Error
	})
}

// userColumns are the users columns in the order scanUser reads them.
const userColumns = `u.id, u.username, u.email, u.password_hash, u.full_name, u.role, u.timezone, u.language,
  u.avatar_url, u.live_nickname, u.plan, u.public_profile, u.disabled_at, u.created_at, u.updated_at`

// activeSessionSQL joins the session check and the user row in one statement, per dialect.
var activeSessionSQL = map[Dialect]string{
	Postgres: `SELECT ` + userColumns + ` FROM auth_sessions s JOIN users u ON u.id = s.user_id
WHERE s.id = $1 AND u.id = $2 AND s.revoked_at IS NULL AND s.expires_at > $3 AND u.disabled_at IS NULL`,
	SQLite: `SELECT ` + userColumns + ` FROM auth_sessions s JOIN users u ON u.id = s.user_id
WHERE s.id = ? AND u.id = ? AND s.revoked_at IS NULL AND s.expires_at > ? AND u.disabled_at IS NULL`,
}

// ActiveSessionUser returns the user of a live (unrevoked, unexpired) session. It runs on
// every authenticated request, so it is one hand-written statement scanned straight into
// the struct: GORM's statement building and reflective scan cost more than the round trip.
func (s *Store) ActiveSessionUser(ctx context.Context, sessionID, userID string) (*User, error) {
	var u User
	row := s.db.Statement.ConnPool.QueryRowContext(ctx, activeSessionSQL[s.dialect], sessionID, userID, s.Now())
	err := row.Scan(&u.ID, &u.Username, &u.Email, &u.PasswordHash, &u.FullName, &u.Role, &u.Timezone, &u.Language,
		&u.AvatarURL, &u.LiveNickname, &u.Plan, &u.PublicProfile, &u.DisabledAt, &u.CreatedAt, &u.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, classify(err)
	}
	return &u, nil
}

// RevokeSession ends a session.
func (s *Store) RevokeSession(ctx context.Context, sessionID string) error {
	return s.q(ctx).Model(&Session{}).Where("id = ? AND revoked_at IS NULL", sessionID).
		Update("revoked_at", s.Now()).Error
}

// RevokeOtherSessions ends every session of userID except keep.
func (s *Store) RevokeOtherSessions(ctx context.Context, userID, keep string) error {
	return s.q(ctx).Model(&Session{}).Where("user_id = ? AND id <> ? AND revoked_at IS NULL", userID, keep).
		Update("revoked_at", s.Now()).Error
}

// RefreshTokenExists reports whether a refresh token with hash was ever issued (used or not),
// with one indexed read: unknown tokens are answered without a transaction or a write.
func (s *Store) RefreshTokenExists(ctx context.Context, hash string) (bool, error) {
	var ids []string
	err := s.q(ctx).Model(&RefreshToken{}).Where("token_hash = ?", hash).Limit(1).Pluck("id", &ids).Error
	return len(ids) > 0, err
}

// RotateRefreshToken consumes the token with hash oldHash and stores newHash as its successor.
//
// The consume is a conditional UPDATE (used_at IS NULL), so of concurrent callers exactly one
// wins. A loser whose token was rotated within grace and whose successor is still unused is
// treated as a benign race (ErrTokenSuperseded). Any other re-use means the token leaked:
// the whole session is revoked (ErrTokenReused).
func (s *Store) RotateRefreshToken(ctx context.Context, oldHash, newHash string, grace time.Duration) (*Session, error) {
	var (
		sess    Session
		outcome error
	)
	err := s.Tx(ctx, func(tx *Store) error {
		now := s.Now()
		var tok RefreshToken
		if err := tx.q(ctx).Where("token_hash = ?", oldHash).Take(&tok).Error; err != nil {
			if errors.Is(notFound(err), ErrNotFound) {
				outcome = ErrTokenInvalid
				return nil
			}
			return err
		}
		if err := tx.q(ctx).Where("id = ?", tok.SessionID).Take(&sess).Error; err != nil {
			return err
		}
		if sess.RevokedAt != nil || !sess.ExpiresAt.After(now) || !tok.ExpiresAt.After(now) {
			outcome = ErrTokenInvalid
			return nil
		}
		var disabled int64
		if err := tx.q(ctx).Model(&User{}).Where("id = ? AND disabled_at IS NOT NULL", sess.UserID).Count(&disabled).Error; err != nil {
			return err
		}
		if disabled > 0 {
			outcome = ErrTokenInvalid
			return nil
		}
		res := tx.q(ctx).Model(&RefreshToken{}).Where("id = ? AND used_at IS NULL", tok.ID).Update("used_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			// Re-read: under READ COMMITTED the winner may have committed after our first read.
			if err := tx.q(ctx).Where("id = ?", tok.ID).Take(&tok).Error; err != nil {
				return err
			}
			var child RefreshToken
			err := tx.q(ctx).Where("parent_id = ?", tok.ID).Take(&child).Error
			if err == nil && child.UsedAt == nil && tok.UsedAt != nil && now.Sub(*tok.UsedAt) <= grace {
				outcome = ErrTokenSuperseded
				return nil
			}
			// Committed with the transaction: the revocation sticks even though the request fails.
			outcome = ErrTokenReused
			return tx.RevokeSession(ctx, sess.ID)
		}
		return tx.q(ctx).Create(&RefreshToken{
			ID: NewID(), SessionID: sess.ID, ParentID: &tok.ID, TokenHash: newHash,
			CreatedAt: now, ExpiresAt: sess.ExpiresAt,
		}).Error
	})
	if err != nil {
		return nil, err
	}
	if outcome != nil {
		return nil, outcome
	}
	return &sess, nil
}

// LiveRefreshTokens counts the unused, unexpired refresh tokens of a live session (tests and audits).
func (s *Store) LiveRefreshTokens(ctx context.Context, sessionID string) (int64, error) {
	var n int64
	err := s.q(ctx).Model(&RefreshToken{}).
		Joins("JOIN auth_sessions ON auth_sessions.id = refresh_tokens.session_id").
		Where("refresh_tokens.session_id = ? AND refresh_tokens.used_at IS NULL AND refresh_tokens.expires_at > ? AND auth_sessions.revoked_at IS NULL", sessionID, s.Now()).
		Count(&n).Error
	return n, err
}

// PruneSessions deletes sessions (and, by cascade, their refresh tokens) that expired or were
// revoked more than retain ago.
func (s *Store) PruneSessions(ctx context.Context, retain time.Duration) (int64, error) {
	cutoff := s.Now().Add(-retain)
	res := s.q(ctx).Where("expires_at < ? OR revoked_at < ?", cutoff, cutoff).Delete(&Session{})
	return res.RowsAffected, res.Error
}
