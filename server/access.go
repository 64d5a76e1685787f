package server

import (
	"context"

	"github.com/xentree/xentree-api/store"
)

// roleSuperAdmin is the effective org role of a super_admin: it acts as admin in every
// organization, member or not.
const roleSuperAdmin = "super_admin"

// orgRole resolves the caller's effective role in orgID (see roleIn).
func (d *deps) orgRole(ctx context.Context, p *Principal, orgID string) (string, error) {
	return roleIn(ctx, d.store, p, orgID)
}

// roleIn resolves the caller's effective role in orgID through st (a transaction's store when
// the answer must hold until commit): roleSuperAdmin for a super_admin, else its membership
// role. An org the caller may not see (not a member, or outside an API key's own organization)
// is ErrNotFound, never a 403, so its existence does not leak.
func roleIn(ctx context.Context, st *store.Store, p *Principal, orgID string) (string, error) {
	if !p.CanReachOrg(orgID) {
		return "", store.ErrNotFound
	}
	if p.SuperAdmin() {
		if _, err := st.OrganizationByID(ctx, orgID); err != nil {
			return "", err
		}
		return roleSuperAdmin, nil
	}
	m, err := st.MembershipOf(ctx, orgID, p.User.ID)
	if err != nil {
		return "", err
	}
	return m.Role, nil
}

// isOrgAdmin reports whether an effective role administers the organization.
func isOrgAdmin(role string) bool { return role == store.OrgAdmin || role == roleSuperAdmin }
