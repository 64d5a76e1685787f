package store

import (
	"context"
	"time"
)

// APIKey is an integrator key bound to one organization. Only the SHA-256 of the secret
// is stored; Prefix keeps the first characters for recognition.
type APIKey struct {
	ID             string `gorm:"primaryKey"`
	Name           string
	Prefix         string
	KeyHash        string
	OrganizationID string
	CreatedBy      string
	Scopes         StringList `gorm:"serializer:json"`
	AllowedIPs     StringList `gorm:"column:allowed_ips;serializer:json"`
	ExpiresAt      *time.Time
	LastUsedAt     *time.Time
	CreatedAt      time.Time
}

// StringList is a []string stored as a JSON text column (portable across both dialects).
type StringList = []string

// CreateAPIKey inserts k, filling id and created_at.
func (s *Store) CreateAPIKey(ctx context.Context, k *APIKey) error {
	k.ID = NewID()
	k.CreatedAt = s.Now()
	if k.AllowedIPs == nil {
		k.AllowedIPs = StringList{}
	}
	return s.q(ctx).Create(k).Error
}

// APIKeyByHash finds a key by the hash of its secret.
func (s *Store) APIKeyByHash(ctx context.Context, hash string) (*APIKey, error) {
	var k APIKey
	err := s.q(ctx).Where("key_hash = ?", hash).Take(&k).Error
	return &k, notFound(err)
}

// APIKeyByID finds a key by id.
func (s *Store) APIKeyByID(ctx context.Context, id string) (*APIKey, error) {
	var k APIKey
	err := s.q(ctx).Where("id = ?", id).Take(&k).Error
	return &k, notFound(err)
}

// ListAPIKeys returns the keys userID created plus every key of the organizations it
// administers, newest first. The organizations are joined, not passed as a parameter list, so
// no number of memberships reaches a database's limit on parameters.
func (s *Store) ListAPIKeys(ctx context.Context, userID string, limit, offset int) ([]APIKey, error) {
	var keys []APIKey
	err := s.q(ctx).Select("api_keys.*").
		Joins("LEFT JOIN memberships admin ON admin.organization_id = api_keys.organization_id AND admin.user_id = ? AND admin.role = ?", userID, OrgAdmin).
		Where("api_keys.created_by = ? OR admin.user_id IS NOT NULL", userID).
		Order("api_keys.created_at DESC, api_keys.id DESC").Limit(limit).Offset(offset).Find(&keys).Error
	return keys, err
}

// DeleteAPIKey removes a key; it stops working at once.
func (s *Store) DeleteAPIKey(ctx context.Context, id string) error {
	return affected(s.q(ctx).Where("id = ?", id).Delete(&APIKey{}))
}

// TouchAPIKey records a use, writing at most once a minute per key (a conditional UPDATE,
// so concurrent requests on many replicas cost one write).
func (s *Store) TouchAPIKey(ctx context.Context, id string) error {
	now := s.Now()
	return s.q(ctx).Model(&APIKey{}).
		Where("id = ? AND (last_used_at IS NULL OR last_used_at < ?)", id, now.Add(-time.Minute)).
		Update("last_used_at", now).Error
}
