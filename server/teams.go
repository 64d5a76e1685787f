package server

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/oapi-codegen/nullable"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/store"
)

// TeamsAPI implements teams inside an organization.
type TeamsAPI struct{ *deps }

var errInvalidManager = unprocessable("invalid_manager", "The manager must be a member of the organization with role manager or admin")

// ListTeams lists an organization's teams to its members.
func (a *TeamsAPI) ListTeams(ctx context.Context, req api.ListTeamsRequestObject) (api.ListTeamsResponseObject, error) {
	orgID := req.OrgId.String()
	if _, _, err := a.caller(ctx, orgID, false); err != nil {
		return nil, err
	}
	limit, offset := page(req.Params.Limit, req.Params.Offset)
	rows, err := a.store.ListTeams(ctx, orgID, limit, offset)
	if err != nil {
		return nil, err
	}
	out := make(api.ListTeams200JSONResponse, 0, len(rows))
	for i := range rows {
		out = append(out, teamResponse(&rows[i]))
	}
	return out, nil
}

// CreateTeam creates a team (org admins).
func (a *TeamsAPI) CreateTeam(ctx context.Context, req api.CreateTeamRequestObject) (api.CreateTeamResponseObject, error) {
	orgID := req.OrgId.String()
	p, _, err := a.caller(ctx, orgID, true)
	if err != nil {
		return nil, err
	}
	b := req.Body
	name, err := cleanName(b.Name)
	if err != nil {
		return nil, err
	}
	t := &store.Team{OrganizationID: orgID, Name: name, Description: emptyToNil(b.Description)}
	var v *store.TeamSummary
	err = a.adminTx(ctx, p, orgID, func(tx *store.Store) error {
		var err error
		if t.ManagerUserID, err = checkManager(ctx, tx, orgID, b.ManagerUserId); err != nil {
			return err
		}
		if err := tx.CreateTeam(ctx, t); err != nil {
			return err
		}
		v, err = tx.TeamSummary(ctx, orgID, t.ID)
		return err
	})
	if err != nil {
		return nil, orgErr(err)
	}
	return api.CreateTeam201JSONResponse(teamResponse(v)), nil
}

// GetTeam returns a team to the organization's members.
func (a *TeamsAPI) GetTeam(ctx context.Context, req api.GetTeamRequestObject) (api.GetTeamResponseObject, error) {
	orgID := req.OrgId.String()
	if _, _, err := a.caller(ctx, orgID, false); err != nil {
		return nil, err
	}
	v, err := a.store.TeamSummary(ctx, orgID, req.TeamId.String())
	if err != nil {
		return nil, teamErr(err)
	}
	return api.GetTeam200JSONResponse(teamResponse(v)), nil
}

// UpdateTeam changes only the fields sent (org admins); `manager_user_id: null` removes the
// manager.
func (a *TeamsAPI) UpdateTeam(ctx context.Context, req api.UpdateTeamRequestObject) (api.UpdateTeamResponseObject, error) {
	orgID, teamID := req.OrgId.String(), req.TeamId.String()
	p, _, err := a.caller(ctx, orgID, true)
	if err != nil {
		return nil, err
	}
	b := req.Body
	changes := map[string]any{}
	if b.Name != nil {
		if changes["name"], err = cleanName(*b.Name); err != nil {
			return nil, err
		}
	}
	if b.Description.IsSpecified() {
		changes["description"] = emptyToNil(nullableString(b.Description))
	}
	var v *store.TeamSummary
	err = a.adminTx(ctx, p, orgID, func(tx *store.Store) error {
		if _, err := tx.TeamOf(ctx, orgID, teamID); err != nil {
			return err
		}
		if b.ManagerUserId.IsSpecified() {
			mgr, err := checkManager(ctx, tx, orgID, b.ManagerUserId)
			if err != nil {
				return err
			}
			changes["manager_user_id"] = mgr
		}
		if err := tx.UpdateTeam(ctx, orgID, teamID, changes); err != nil {
			return err
		}
		var err error
		v, err = tx.TeamSummary(ctx, orgID, teamID)
		return err
	})
	if err != nil {
		return nil, teamErr(err)
	}
	return api.UpdateTeam200JSONResponse(teamResponse(v)), nil
}

// DeleteTeam deletes a team (org admins); its members stay in the organization without a team.
func (a *TeamsAPI) DeleteTeam(ctx context.Context, req api.DeleteTeamRequestObject) (api.DeleteTeamResponseObject, error) {
	orgID := req.OrgId.String()
	p, _, err := a.caller(ctx, orgID, true)
	if err != nil {
		return nil, err
	}
	err = a.adminTx(ctx, p, orgID, func(tx *store.Store) error { return tx.DeleteTeam(ctx, orgID, req.TeamId.String()) })
	if err != nil {
		return nil, teamErr(err)
	}
	return api.DeleteTeam204Response{}, nil
}

// checkManager validates a requested team manager: absent or null is no manager; otherwise
// it must be a member of orgID with role manager or admin (422 invalid_manager).
func checkManager(ctx context.Context, tx *store.Store, orgID string, id nullable.Nullable[uuid.UUID]) (*string, error) {
	if !id.IsSpecified() || id.IsNull() {
		return nil, nil
	}
	userID := id.MustGet().String()
	m, err := tx.MembershipOf(ctx, orgID, userID)
	if errors.Is(err, store.ErrNotFound) || err == nil && m.Role == store.OrgMember {
		return nil, errInvalidManager
	}
	if err != nil {
		return nil, err
	}
	return &userID, nil
}

// teamErr names the team in a not-found error.
func teamErr(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return notFoundError("Team")
	}
	return err
}

func teamResponse(v *store.TeamSummary) api.TeamResponse {
	return api.TeamResponse{
		Id: uuidOf(v.ID), OrganizationId: uuidOf(v.OrganizationID), Name: v.Name,
		Description: nullableOf(v.Description), ManagerUserId: nullableUUID(v.ManagerUserID),
		MemberCount: v.MemberCount, CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt,
	}
}
