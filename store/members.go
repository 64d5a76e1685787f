package store

import (
	"context"
	"time"
)

// Organization roles.
const (
	OrgAdmin   = "admin"
	OrgManager = "manager"
	OrgMember  = "member"
)

// Membership places a user in an organization with a role and at most one team.
type Membership struct {
	OrganizationID string `gorm:"primaryKey"`
	UserID         string `gorm:"primaryKey"`
	Role           string
	TeamID         *string
	JoinedAt       time.Time
}

// MembershipOf returns userID's membership of orgID.
func (s *Store) MembershipOf(ctx context.Context, orgID, userID string) (*Membership, error) {
	var m Membership
	err := s.q(ctx).Where("organization_id = ? AND user_id = ?", orgID, userID).Take(&m).Error
	return &m, notFound(err)
}

// AdminOrgIDs lists the organizations where userID is an admin.
func (s *Store) AdminOrgIDs(ctx context.Context, userID string) ([]string, error) {
	var ids []string
	err := s.q(ctx).Model(&Membership{}).Where("user_id = ? AND role = ?", userID, OrgAdmin).
		Pluck("organization_id", &ids).Error
	return ids, err
}
