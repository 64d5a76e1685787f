package store

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm/clause"
)

// Integration providers.
const ProviderGoogleCalendar = "google_calendar"

// OAuthState is a pending authorization: the SHA-256 of the state handed to the browser, the
// user it connects and the sealed PKCE verifier.
type OAuthState struct {
	StateHash      string `gorm:"primaryKey"`
	UserID         string
	Provider       string
	SealedVerifier string
	CreatedAt      time.Time
	ExpiresAt      time.Time
	UsedAt         *time.Time
}

// TableName maps OAuthState to oauth_states.
func (OAuthState) TableName() string { return "oauth_states" }

// Outcomes of consuming a state that did not work.
var (
	ErrOAuthStateUnknown = errors.New("oauth state unknown")
	ErrOAuthStateUsed    = errors.New("oauth state already used")
	ErrOAuthStateExpired = errors.New("oauth state expired")
)

// oauthStateRetention is how long spent and expired states stay, so a late replay is told
// "used" or "expired" rather than "unknown".
const oauthStateRetention = time.Hour

// MaxPendingOAuthStates bounds a user's authorizations in flight: starting one more expires
// the oldest, so repeated starts cannot grow the table.
const MaxPendingOAuthStates = 5

// CreateOAuthState stores a pending authorization, expires the user's oldest pending ones
// beyond MaxPendingOAuthStates and drops the states that expired over oauthStateRetention ago.
func (s *Store) CreateOAuthState(ctx context.Context, st *OAuthState) error {
	st.CreatedAt = s.Now()
	return s.Tx(ctx, func(tx *Store) error {
		if err := tx.q(ctx).Where("user_id = ? AND expires_at < ?", st.UserID, st.CreatedAt.Add(-oauthStateRetention)).
			Delete(&OAuthState{}).Error; err != nil {
			return err
		}
		if err := tx.q(ctx).Create(st).Error; err != nil {
			return err
		}
		pending := "user_id = ? AND provider = ? AND used_at IS NULL AND expires_at > ? AND state_hash <> ?"
		keep := tx.q(ctx).Model(&OAuthState{}).Select("state_hash").
			Where(pending, st.UserID, st.Provider, st.CreatedAt, st.StateHash).
			Order("created_at DESC").Limit(MaxPendingOAuthStates - 1)
		return tx.q(ctx).Model(&OAuthState{}).
			Where(pending, st.UserID, st.Provider, st.CreatedAt, st.StateHash).
			Where("state_hash NOT IN (?)", keep).
			Update("expires_at", st.CreatedAt).Error
	})
}

// ConsumeOAuthState spends the state with hash for provider: one conditional UPDATE (unused and
// unexpired), so of concurrent callbacks exactly one gets it. The others, and any later replay,
// get ErrOAuthStateUsed; an expired state ErrOAuthStateExpired; an unknown one ErrOAuthStateUnknown.
func (s *Store) ConsumeOAuthState(ctx context.Context, hash, provider string) (*OAuthState, error) {
	now := s.Now()
	res := s.q(ctx).Model(&OAuthState{}).
		Where("state_hash = ? AND provider = ? AND used_at IS NULL AND expires_at > ?", hash, provider, now).
		Update("used_at", now)
	if res.Error != nil {
		return nil, res.Error
	}
	var st OAuthState
	if err := s.q(ctx).Where("state_hash = ? AND provider = ?", hash, provider).Take(&st).Error; err != nil {
		if errors.Is(notFound(err), ErrNotFound) {
			return nil, ErrOAuthStateUnknown
		}
		return nil, err
	}
	switch {
	case res.RowsAffected == 1:
		return &st, nil
	case st.UsedAt != nil:
		return nil, ErrOAuthStateUsed
	default:
		return nil, ErrOAuthStateExpired
	}
}

// Integration is a connected third-party account. Tokens are stored sealed (see
// internal/secretbox); KeyID names the key that sealed them.
type Integration struct {
	UserID        string `gorm:"primaryKey"`
	Provider      string `gorm:"primaryKey"`
	Status        string
	AccountEmail  *string
	Scopes        string // space-separated, as OAuth writes them
	SealedAccess  string
	SealedRefresh *string
	TokenType     string
	TokenExpiry   *time.Time
	KeyID         string
	ConnectedAt   time.Time
	UpdatedAt     time.Time
}

// Integration statuses.
const IntegrationConnected = "connected"

// IntegrationOf returns userID's integration with provider (ErrNotFound when not connected).
func (s *Store) IntegrationOf(ctx context.Context, userID, provider string) (*Integration, error) {
	var in Integration
	err := s.q(ctx).Where("user_id = ? AND provider = ?", userID, provider).Take(&in).Error
	return &in, notFound(err)
}

// IntegrationsOf returns userID's integrations.
func (s *Store) IntegrationsOf(ctx context.Context, userID string) ([]Integration, error) {
	rows := []Integration{}
	err := s.q(ctx).Where("user_id = ?", userID).Order("provider").Find(&rows).Error
	return rows, err
}

// SaveIntegration inserts or replaces in (a reconnect replaces the tokens and keeps the first
// connection time) and returns the row it replaced, nil for a first connection, so the caller
// can revoke tokens it no longer holds.
func (s *Store) SaveIntegration(ctx context.Context, in *Integration) (*Integration, error) {
	now := s.Now()
	in.ConnectedAt, in.UpdatedAt = now, now
	var prev *Integration
	err := s.Tx(ctx, func(tx *Store) error {
		var old Integration
		switch err := notFound(tx.forUpdate(ctx).Where("user_id = ? AND provider = ?", in.UserID, in.Provider).Take(&old).Error); {
		case err == nil:
			prev = &old
		case !errors.Is(err, ErrNotFound):
			return err
		}
		return tx.q(ctx).Clauses(clause.OnConflict{
			Columns: []clause.Column{{Name: "user_id"}, {Name: "provider"}},
			DoUpdates: clause.AssignmentColumns([]string{"status", "account_email", "scopes", "sealed_access",
				"sealed_refresh", "token_type", "token_expiry", "key_id", "updated_at"}),
		}).Create(in).Error
	})
	return prev, err
}

// DeleteIntegration forgets userID's integration with provider and returns what it held (for
// revocation at the provider); ErrNotFound when there was none.
func (s *Store) DeleteIntegration(ctx context.Context, userID, provider string) (*Integration, error) {
	var in Integration
	err := s.Tx(ctx, func(tx *Store) error {
		if err := tx.forUpdate(ctx).Where("user_id = ? AND provider = ?", userID, provider).Take(&in).Error; err != nil {
			return notFound(err)
		}
		return affected(tx.q(ctx).Where("user_id = ? AND provider = ?", userID, provider).Delete(&Integration{}))
	})
	if err != nil {
		return nil, err
	}
	return &in, nil
}
