package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Team is a group inside one organization, optionally led by a manager (an org member with
// role manager or admin).
type Team struct {
	ID             string `gorm:"primaryKey"`
	OrganizationID string
	Name           string
	Description    *string
	ManagerUserID  *string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// TeamSummary is a team with its member count.
type TeamSummary struct {
	Team
	MemberCount int
}

// ErrTeamNameTaken: the organization already has a team of that name (in any case).
var ErrTeamNameTaken = fmt.Errorf("%w: team name taken", ErrConflict)

func (s *Store) teamSummaries(ctx context.Context, orgID string) *gorm.DB {
	return s.q(ctx).Table("teams").
		Select("teams.*, (SELECT count(*) FROM memberships m WHERE m.team_id = teams.id) AS member_count").
		Where("teams.organization_id = ?", orgID)
}

// ListTeams returns orgID's teams by name.
func (s *Store) ListTeams(ctx context.Context, orgID string, limit, offset int) ([]TeamSummary, error) {
	rows := []TeamSummary{}
	err := s.teamSummaries(ctx, orgID).Order("lower(teams.name), teams.id").Limit(limit).Offset(offset).Scan(&rows).Error
	return rows, err
}

// TeamSummary loads team id of orgID (a team of another organization is ErrNotFound).
func (s *Store) TeamSummary(ctx context.Context, orgID, id string) (*TeamSummary, error) {
	var rows []TeamSummary
	if err := s.teamSummaries(ctx, orgID).Where("teams.id = ?", id).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, ErrNotFound
	}
	return &rows[0], nil
}

// TeamOf loads team id of orgID (a team of another organization is ErrNotFound).
func (s *Store) TeamOf(ctx context.Context, orgID, id string) (*Team, error) {
	var t Team
	err := s.q(ctx).Where("organization_id = ? AND id = ?", orgID, id).Take(&t).Error
	return &t, notFound(err)
}

// CreateTeam inserts t, filling id and timestamps.
func (s *Store) CreateTeam(ctx context.Context, t *Team) error {
	t.ID = NewID()
	t.CreatedAt = s.Now()
	t.UpdatedAt = t.CreatedAt
	return teamErr(s.q(ctx).Create(t).Error)
}

// UpdateTeam writes exactly the columns in changes (plus updated_at) of team id of orgID.
func (s *Store) UpdateTeam(ctx context.Context, orgID, id string, changes map[string]any) error {
	changes["updated_at"] = s.Now()
	res := s.q(ctx).Model(&Team{}).Where("organization_id = ? AND id = ?", orgID, id).Updates(changes)
	if res.Error != nil {
		return teamErr(res.Error)
	}
	return affected(res)
}

// DeleteTeam removes team id of orgID; its members stay in the organization without a team.
func (s *Store) DeleteTeam(ctx context.Context, orgID, id string) error {
	return s.Tx(ctx, func(tx *Store) error {
		if err := tx.q(ctx).Model(&Membership{}).Where("organization_id = ? AND team_id = ?", orgID, id).
			Update("team_id", nil).Error; err != nil {
			return err
		}
		return affected(tx.q(ctx).Where("organization_id = ? AND id = ?", orgID, id).Delete(&Team{}))
	})
}

// ManagesTeam reports whether userID is the manager of team id of orgID.
func (s *Store) ManagesTeam(ctx context.Context, orgID, id, userID string) (bool, error) {
	var n int64
	err := s.q(ctx).Model(&Team{}).Where("organization_id = ? AND id = ? AND manager_user_id = ?", orgID, id, userID).
		Count(&n).Error
	return n > 0, err
}

// UnsetManager removes userID as manager of every team of orgID (it left the organization or
// is no longer allowed to manage).
func (s *Store) UnsetManager(ctx context.Context, orgID, userID string) error {
	return s.q(ctx).Model(&Team{}).Where("organization_id = ? AND manager_user_id = ?", orgID, userID).
		Updates(map[string]any{"manager_user_id": nil, "updated_at": s.Now()}).Error
}

func teamErr(err error) error {
	switch {
	case IsDuplicate(err):
		return ErrTeamNameTaken
	case IsForeignKey(err):
		return ErrNotFound
	}
	return err
}
