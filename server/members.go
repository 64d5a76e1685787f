package server

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/oapi-codegen/nullable"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/store"
)

// MembersAPI implements organization members, including the comprehensive member update.
//
// Every change that can take an admin away from an organization (role change, removal,
// transfer) runs in one transaction that first locks the organization rows (store.LockOrgs)
// and then re-reads the caller's role and the target's membership, so the permission checks
// and the last-admin count see the state the change is applied to, even when two admins act
// on each other at the same moment.
type MembersAPI struct{ *deps }

var errMemberRef = unprocessable("invalid_member_reference", "Name the user by exactly one of user_id, username or email")

// ListMembers lists an organization's members to its members, oldest membership first.
func (a *MembersAPI) ListMembers(ctx context.Context, req api.ListMembersRequestObject) (api.ListMembersResponseObject, error) {
	orgID := req.OrgId.String()
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if !p.CanReachOrg(orgID) {
		return nil, orgErr(store.ErrNotFound)
	}
	f := store.MemberFilter{}
	f.Limit, f.Offset = page(req.Params.Limit, req.Params.Offset)
	if req.Params.TeamId != nil {
		f.TeamID = req.Params.TeamId.String()
	}
	if req.Params.Role != nil {
		f.Role = string(*req.Params.Role)
	}
	// Any member may list: the membership check (roleIn's) runs in the list's own statement.
	rows, err := a.store.ListMembersAs(ctx, orgID, p.User.ID, p.ActsAsSuperAdmin(), f)
	if err != nil {
		return nil, orgErr(err)
	}
	return memberList(rows), nil
}

// AddMember adds a user, named by exactly one of user_id, username or email, to the
// organization (org admins).
func (a *MembersAPI) AddMember(ctx context.Context, req api.AddMemberRequestObject) (api.AddMemberResponseObject, error) {
	orgID := req.OrgId.String()
	p, _, err := a.caller(ctx, orgID, true)
	if err != nil {
		return nil, err
	}
	b := req.Body
	refs := 0
	for _, set := range []bool{b.UserId != nil, b.Username != nil, b.Email != nil} {
		if set {
			refs++
		}
	}
	if refs != 1 {
		return nil, errMemberRef
	}
	var u *store.User
	switch {
	case b.UserId != nil:
		u, err = a.store.UserByID(ctx, b.UserId.String())
	case b.Username != nil:
		u, err = a.store.UserByUsername(ctx, *b.Username)
	default:
		u, err = a.store.UserByEmail(ctx, string(*b.Email))
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFoundError("User")
	}
	if err != nil {
		return nil, err
	}
	m := &store.Membership{OrganizationID: orgID, UserID: u.ID, Role: store.OrgMember}
	if b.Role != nil {
		m.Role = string(*b.Role)
	}
	var v *store.MemberView
	err = a.adminTx(ctx, p, orgID, func(tx *store.Store) error {
		team, err := teamOfOrg(ctx, tx, orgID, b.TeamId, nil)
		if err != nil {
			return err
		}
		m.TeamID = team
		if err := tx.AddMembership(ctx, m); err != nil {
			return err
		}
		v, err = tx.MemberView(ctx, orgID, u.ID)
		return err
	})
	if err != nil {
		return nil, memberErr(err)
	}
	return api.AddMember201JSONResponse(memberResponse(v)), nil
}

// UpdateMemberRole changes a member's role (org admins): only a super_admin changes another
// admin's role, and the last admin cannot be demoted.
func (a *MembersAPI) UpdateMemberRole(ctx context.Context, req api.UpdateMemberRoleRequestObject) (api.UpdateMemberRoleResponseObject, error) {
	orgID := req.OrgId.String()
	p, role, err := a.caller(ctx, orgID, true)
	if err != nil {
		return nil, err
	}
	r := string(req.Body.Role)
	v, err := a.change(ctx, p, role, orgID, req.TargetUserId.String(), memberChange{role: &r, adminOnly: true})
	if err != nil {
		return nil, err
	}
	return api.UpdateMemberRole200JSONResponse(memberResponse(v)), nil
}

// UpdateMember is the comprehensive update of role, organization and team (the rules are in
// plan).
func (a *MembersAPI) UpdateMember(ctx context.Context, req api.UpdateMemberRequestObject) (api.UpdateMemberResponseObject, error) {
	orgID := req.OrgId.String()
	p, role, err := a.caller(ctx, orgID, false)
	if err != nil {
		return nil, err
	}
	b := req.Body
	c := memberChange{team: b.TeamId}
	if b.Role != nil {
		r := string(*b.Role)
		c.role = &r
	}
	if b.OrganizationId != nil && b.OrganizationId.String() != orgID {
		c.dest = b.OrganizationId.String()
	}
	v, err := a.change(ctx, p, role, orgID, req.TargetUserId.String(), c)
	if err != nil {
		return nil, err
	}
	return api.UpdateMember200JSONResponse(memberResponse(v)), nil
}

// RemoveMember removes a member (org admins) or lets a member leave; the last admin cannot.
func (a *MembersAPI) RemoveMember(ctx context.Context, req api.RemoveMemberRequestObject) (api.RemoveMemberResponseObject, error) {
	orgID, targetID := req.OrgId.String(), req.TargetUserId.String()
	p, role, err := a.caller(ctx, orgID, false)
	if err != nil {
		return nil, err
	}
	self := targetID == p.User.ID
	if !self && !isOrgAdmin(role) {
		return nil, errForbidden
	}
	err = a.store.Tx(ctx, func(tx *store.Store) error {
		if err := tx.LockOrgs(ctx, orgID); err != nil {
			return orgErr(err)
		}
		role, err := roleIn(ctx, tx, p, orgID)
		if err != nil {
			return orgErr(err)
		}
		if !self && !isOrgAdmin(role) {
			return errForbidden
		}
		m, err := tx.MembershipOf(ctx, orgID, targetID)
		if err != nil {
			return err
		}
		if !self && m.Role == store.OrgAdmin && !p.ActsAsSuperAdmin() {
			return errForbidden // else removing and re-adding would change another admin's role
		}
		if err := tx.KeepAnAdmin(ctx, m); err != nil {
			return err
		}
		return tx.DeleteMembership(ctx, orgID, targetID)
	})
	if err != nil {
		return nil, memberErr(err)
	}
	return api.RemoveMember204Response{}, nil
}

// memberChange is a requested change of one membership.
type memberChange struct {
	role *string // nil: unchanged
	// dest is the organization to transfer to ("" or the source itself: no transfer).
	dest string
	// team: absent is unchanged (after a transfer: no team), null removes, a value names a
	// team of the organization the member ends up in.
	team nullable.Nullable[uuid.UUID]
	// adminOnly refuses non-admin callers even for changes a team manager could make.
	adminOnly bool
}

// change applies c to targetID's membership of orgID on behalf of p, whose role in orgID
// (read before locking) is preRole, and returns the membership afterwards (in the
// destination after a transfer). The rules are in plan.
func (a *MembersAPI) change(ctx context.Context, p *Principal, preRole, orgID, targetID string, c memberChange) (*store.MemberView, error) {
	transfer := c.dest != ""
	if !canTryChange(preRole, transfer, c.adminOnly) {
		return nil, errForbidden
	}
	locks := []string{orgID}
	if transfer {
		locks = append(locks, c.dest)
	}
	var v *store.MemberView
	err := a.store.Tx(ctx, func(tx *store.Store) error {
		if err := tx.LockOrgs(ctx, locks...); err != nil {
			return orgErr(err)
		}
		pl, err := a.plan(ctx, tx, p, orgID, targetID, c)
		if err != nil {
			return err
		}
		if transfer {
			if err := tx.DeleteMembership(ctx, orgID, targetID); err != nil {
				return err
			}
			err = tx.AddMembership(ctx, &store.Membership{OrganizationID: pl.org, UserID: targetID, Role: pl.role, TeamID: pl.team})
		} else {
			err = a.applyInPlace(ctx, tx, pl.m, pl.role, pl.team, c.team.IsSpecified())
		}
		if err != nil {
			return err
		}
		v, err = tx.MemberView(ctx, pl.org, targetID)
		return err
	})
	if err != nil {
		return nil, memberErr(err)
	}
	return v, nil
}

// changePlan is a checked change: the target's current membership and where it ends up.
type changePlan struct {
	m    *store.Membership
	org  string
	role string
	team *string
}

// plan checks c under the organization locks, in this order:
//
//   - 404 when the organization is not visible to the caller; 403 for a plain member, and for
//     a team manager asking for a transfer (or calling the admin-only PATCH);
//   - 404 when the target is not a member;
//   - admins and super_admins may change role, team and organization, but only a super_admin
//     changes another admin's role (setting the role it already has is no change);
//   - a team manager may only change the team, and only when the target's current team and
//     the new team (or no team) are both teams it manages; anything else is 403;
//   - a transfer needs admin rights in the destination too: 404 when the caller cannot see the
//     destination (an API key never can), 403 when it is a member there without admin rights;
//     409 already_member when the target is in the destination;
//   - a named team must belong to the organization the member ends up in (else 404);
//   - 409 last_admin when the target is its organization's only admin and would stop being one.
func (a *MembersAPI) plan(ctx context.Context, tx *store.Store, p *Principal, orgID, targetID string, c memberChange) (*changePlan, error) {
	transfer := c.dest != ""
	role, err := roleIn(ctx, tx, p, orgID)
	if err != nil {
		return nil, orgErr(err)
	}
	if !canTryChange(role, transfer, c.adminOnly) {
		return nil, errForbidden
	}
	admin := isOrgAdmin(role)
	m, err := tx.MembershipOf(ctx, orgID, targetID)
	if err != nil {
		return nil, err
	}
	pl := &changePlan{m: m, org: orgID, role: m.Role, team: m.TeamID}
	if c.role != nil {
		pl.role = *c.role
	}
	roleChanged := pl.role != m.Role
	switch {
	case !admin && roleChanged:
		return nil, errForbidden
	case (roleChanged || transfer) && m.Role == store.OrgAdmin && targetID != p.User.ID && !p.ActsAsSuperAdmin():
		// Another admin's standing (role, organization) is changed by itself or a super_admin.
		return nil, errForbidden
	case !admin:
		if err := a.mustManage(ctx, tx, orgID, m.TeamID, p.User.ID); err != nil {
			return nil, err
		}
	}
	if transfer {
		pl.org, pl.team = c.dest, nil
		destRole, err := roleIn(ctx, tx, p, c.dest)
		if err != nil {
			return nil, orgErr(err)
		}
		if !isOrgAdmin(destRole) {
			return nil, errForbidden
		}
		if _, err := tx.MembershipOf(ctx, c.dest, targetID); err == nil {
			return nil, store.ErrAlreadyMember
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	if pl.team, err = teamOfOrg(ctx, tx, pl.org, c.team, pl.team); err != nil {
		return nil, err
	}
	if !admin && pl.team != nil {
		if err := a.mustManage(ctx, tx, orgID, pl.team, p.User.ID); err != nil {
			return nil, err
		}
	}
	if transfer || roleChanged && pl.role != store.OrgAdmin {
		if err := tx.KeepAnAdmin(ctx, m); err != nil {
			return nil, err
		}
	}
	return pl, nil
}

// canTryChange is the part of the rules that depends on the caller's role alone: admins may
// try anything, team managers only a team change.
func canTryChange(role string, transfer, adminOnly bool) bool {
	return isOrgAdmin(role) || role == store.OrgManager && !transfer && !adminOnly
}

// applyInPlace writes a role and team change to m; a member demoted to `member` stops
// managing the organization's teams (a manager must be a manager or admin).
func (a *MembersAPI) applyInPlace(ctx context.Context, tx *store.Store, m *store.Membership, role string, team *string, teamSent bool) error {
	changes := map[string]any{}
	if role != m.Role {
		changes["role"] = role
	}
	if teamSent {
		changes["team_id"] = team
	}
	if len(changes) == 0 {
		return nil
	}
	if err := tx.UpdateMembership(ctx, m.OrganizationID, m.UserID, changes); err != nil {
		return err
	}
	if role == store.OrgMember && m.Role != store.OrgMember {
		return tx.UnsetManager(ctx, m.OrganizationID, m.UserID)
	}
	return nil
}

// mustManage is 403 unless userID manages team (nil: no team, which nobody manages) of orgID.
func (a *MembersAPI) mustManage(ctx context.Context, tx *store.Store, orgID string, team *string, userID string) error {
	if team == nil {
		return errForbidden
	}
	ok, err := tx.ManagesTeam(ctx, orgID, *team, userID)
	if err != nil {
		return err
	}
	if !ok {
		return errForbidden
	}
	return nil
}

// teamOfOrg resolves a requested team: absent keeps current, null is no team, and an id must
// name a team of orgID (else 404).
func teamOfOrg(ctx context.Context, tx *store.Store, orgID string, team nullable.Nullable[uuid.UUID], current *string) (*string, error) {
	if !team.IsSpecified() {
		return current, nil
	}
	if team.IsNull() {
		return nil, nil
	}
	t, err := tx.TeamOf(ctx, orgID, team.MustGet().String())
	if err != nil {
		return nil, teamErr(err)
	}
	return &t.ID, nil
}

// memberErr names the member in a not-found error (other outcomes map in toAPIError).
func memberErr(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return notFoundError("Member")
	}
	return err
}

func memberResponse(v *store.MemberView) api.MemberResponse {
	return api.MemberResponse{
		UserId: uuidOf(v.UserID), Username: v.Username, Email: v.Email, FullName: nullableOf(v.FullName),
		Role: api.OrgRole(v.Role), JoinedAt: v.JoinedAt, TeamId: nullableUUID(v.TeamID), TeamName: nullableOf(v.TeamName),
	}
}
