package store

import (
	"context"
	"fmt"
	"strings"
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

// ListMembersAs is ListMembers for a caller, authorized in the same statement: the list is
// left-joined to the caller's own membership row (or, for a super_admin, the organization's
// row), so a caller who may not see the organization gets no row at all (ErrNotFound) and a
// member whose filters match nothing one row of NULLs. One round trip; the rows are scanned
// by hand (GORM's reflective scan cost more per row than everything else).
func (s *Store) ListMembersAs(ctx context.Context, orgID, callerID string, superAdmin bool, f MemberFilter) ([]MemberView, error) {
	var b strings.Builder
	var args []any
	b.WriteString(`SELECT l.organization_id, l.user_id, l.role, l.team_id, l.joined_at, l.username, l.email, l.full_name, l.team_name FROM `)
	if superAdmin {
		b.WriteString(`(SELECT 1 AS ok FROM organizations WHERE id = ?) me`)
		args = append(args, orgID)
	} else {
		b.WriteString(`(SELECT 1 AS ok FROM memberships WHERE organization_id = ? AND user_id = ?) me`)
		args = append(args, orgID, callerID)
	}
	b.WriteString(` LEFT JOIN (SELECT m.organization_id, m.user_id, m.role, m.team_id, m.joined_at, u.username, u.email, u.full_name, t.name AS team_name
FROM memberships m JOIN users u ON u.id = m.user_id LEFT JOIN teams t ON t.id = m.team_id
WHERE m.organization_id = ?`)
	args = append(args, orgID)
	if f.TeamID != "" {
		b.WriteString(` AND m.team_id = ?`)
		args = append(args, f.TeamID)
	}
	if f.Role != "" {
		b.WriteString(` AND m.role = ?`)
		args = append(args, f.Role)
	}
	b.WriteString(` ORDER BY m.joined_at, m.user_id LIMIT ? OFFSET ?) l ON 1 = 1 ORDER BY l.joined_at, l.user_id`)
	args = append(args, f.Limit, f.Offset)
	rows, err := s.q(ctx).Raw(b.String(), args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out, seen := make([]MemberView, 0, min(f.Limit, 200)), false
	for rows.Next() {
		seen = true
		var (
			org, user, role, name, email *string
			joined                       *time.Time
			v                            MemberView
		)
		if err := rows.Scan(&org, &user, &role, &v.TeamID, &joined, &name, &email, &v.FullName, &v.TeamName); err != nil {
			return nil, classify(err)
		}
		if user == nil {
			continue // a member, and nothing matches
		}
		v.OrganizationID, v.UserID, v.Role, v.JoinedAt, v.Username, v.Email = *org, *user, *role, *joined, *name, *email
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, classify(err)
	}
	if !seen {
		return nil, ErrNotFound
	}
	return out, nil
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
