package server

import (
	"context"

	api "github.com/xentree/xentree-api/gen"
)

// TeamsAPI implements teams inside an organization.
type TeamsAPI struct{ *deps }

// ListTeams answers 501 until its area lands.
func (a *TeamsAPI) ListTeams(ctx context.Context, request api.ListTeamsRequestObject) (api.ListTeamsResponseObject, error) {
	return nil, errNotImplemented
}

// CreateTeam answers 501 until its area lands.
func (a *TeamsAPI) CreateTeam(ctx context.Context, request api.CreateTeamRequestObject) (api.CreateTeamResponseObject, error) {
	return nil, errNotImplemented
}

// GetTeam answers 501 until its area lands.
func (a *TeamsAPI) GetTeam(ctx context.Context, request api.GetTeamRequestObject) (api.GetTeamResponseObject, error) {
	return nil, errNotImplemented
}

// UpdateTeam answers 501 until its area lands.
func (a *TeamsAPI) UpdateTeam(ctx context.Context, request api.UpdateTeamRequestObject) (api.UpdateTeamResponseObject, error) {
	return nil, errNotImplemented
}

// DeleteTeam answers 501 until its area lands.
func (a *TeamsAPI) DeleteTeam(ctx context.Context, request api.DeleteTeamRequestObject) (api.DeleteTeamResponseObject, error) {
	return nil, errNotImplemented
}
