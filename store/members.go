package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
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

// MemberView is a membership with the user's and the team's names.
type MemberView struct {
	Membership
	Username string
	Email    string
	FullName *string
	TeamName *string
}

// MemberFilter selects the members ListMembers returns; empty fields do not filter.
type MemberFilter struct {
	TeamID        string
	Role          string
	Limit, Offset int
}

// ErrAlreadyMember: the user already belongs to the organization.
var ErrAlreadyMember = fmt.Errorf("%w: already a member", ErrConflict)

// MembershipOf returns userID's membership of orgID.
func (s *Store) MembershipOf(ctx context.Context, orgID, userID string) (*Membership, error) {
	var m Membership
	err := s.q(ctx).Where("organization_id = ? AND user_id = ?", orgID, userID).Take(&m).Error
	return &m, notFound(err)
}

// memberViews joins each membership of orgID with its user and team in one query.
func (s *Store) memberViews(ctx context.Context, orgID string) *gorm.DB {
	return s.q(ctx).Table("memberships").
		Select("memberships.*, users.username, users.email, users.full_name, teams.name AS team_name").
		Joins("JOIN users ON users.id = memberships.user_id").
		Joins("LEFT JOIN teams ON teams.id = memberships.team_id").
		Where("memberships.organization_id = ?", orgID)
}

// ListMembers returns orgID's members, oldest membership first (ties by user id, so pages
// are stable).
func (s *Store) ListMembers(ctx context.Context, orgID string, f MemberFilter) ([]MemberView, error) {
	q := s.memberViews(ctx, orgID)
	if f.TeamID != "" {
		q = q.Where("memberships.team_id = ?", f.TeamID)
	}
	if f.Role != "" {
		q = q.Where("memberships.role = ?", f.Role)
	}
	rows := []MemberView{}
	err := q.Order("memberships.joined_at, memberships.user_id").Limit(f.Limit).Offset(f.Offset).Scan(&rows).Error
	return rows, err
}

// MemberView loads userID's membership of orgID with names.
func (s *Store) MemberView(ctx context.Context, orgID, userID string) (*MemberView, error) {
	var rows []MemberView
	if err := s.memberViews(ctx, orgID).Where("memberships.user_id = ?", userID).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, ErrNotFound
	}
	return &rows[0], nil
}

// AddMembership inserts m, joined now. ErrAlreadyMember when the user is already in the
// organization; ErrNotFound when the organization, user or team vanished meanwhile.
func (s *Store) AddMembership(ctx context.Context, m *Membership) error {
	m.JoinedAt = s.Now()
	err := s.q(ctx).Create(m).Error
	switch {
	case IsDuplicate(err):
		return ErrAlreadyMember
	case IsForeignKey(err):
		return ErrNotFound
	}
	return err
}

// UpdateMembership writes exactly the columns in changes of userID's membership of orgID.
func (s *Store) UpdateMembership(ctx context.Context, orgID, userID string, changes map[string]any) error {
	err := affected(s.q(ctx).Model(&Membership{}).Where("organization_id = ? AND user_id = ?", orgID, userID).Updates(changes))
	if IsForeignKey(err) {
		return ErrNotFound
	}
	return err
}

// DeleteMembership removes userID from orgID (removal, leaving, transfer out): from the
// management of orgID's teams, and it revokes the API keys userID created there, which would
// otherwise spring back to life should the user be added again. Call it in the transaction of
// the change.
func (s *Store) DeleteMembership(ctx context.Context, orgID, userID string) error {
	if err := affected(s.q(ctx).Where("organization_id = ? AND user_id = ?", orgID, userID).Delete(&Membership{})); err != nil {
		return err
	}
	if err := s.q(ctx).Where("organization_id = ? AND created_by = ?", orgID, userID).Delete(&APIKey{}).Error; err != nil {
		return err
	}
	return s.UnsetManager(ctx, orgID, userID)
}

// KeepAnAdmin fails with ErrLastAdmin when m is the only admin of its organization. Call it
// inside the transaction that holds LockOrgs on that organization, before m stops being an
// admin there (demotion, removal or transfer); the lock keeps the count true until commit.
func (s *Store) KeepAnAdmin(ctx context.Context, m *Membership) error {
	if m.Role != OrgAdmin {
		return nil
	}
	var n int64
	err := s.q(ctx).Model(&Membership{}).Where("organization_id = ? AND role = ?", m.OrganizationID, OrgAdmin).
		Count(&n).Error
	if err != nil {
		return err
	}
	if n <= 1 {
		return ErrLastAdmin
	}
	return nil
}
