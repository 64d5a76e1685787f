package server

import (
	"context"
	"errors"

	"github.com/xentree/xentree-api/store"
)

// roleSuperAdmin is the effective org role of a super_admin who is not a member: it acts as
// admin in every organization.
const roleSuperAdmin = "super_admin"

// orgRole resolves the caller's effective role in orgID: its membership role, or
// roleSuperAdmin for a super_admin outside the org. An org the caller may not see (not a
// member, or outside an API key's own organization) is ErrNotFound, never a 403, so its
// existence does not leak.
func (d *deps) orgRole(ctx context.Context, p *Principal, orgID string) (string, error) {
	if !p.CanReachOrg(orgID) {
		return "", store.ErrNotFound
	}
	m, err := d.store.MembershipOf(ctx, orgID, p.User.ID)
	if err == nil {
		return m.Role, nil
	}
	if !errors.Is(err, store.ErrNotFound) || !p.SuperAdmin() {
		return "", err
	}
	if _, err := d.store.OrganizationByID(ctx, orgID); err != nil {
		return "", err
	}
	return roleSuperAdmin, nil
}

// isOrgAdmin reports whether an effective role administers the organization.
func isOrgAdmin(role string) bool { return role == store.OrgAdmin || role == roleSuperAdmin }
