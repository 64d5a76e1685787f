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
// the answer must hold until commit): roleSuperAdmin for a super_admin with a bearer token,
// else its membership role (an API key acts with its creator's membership only). An org the caller may not see (not a member, or outside an API key's own organization)
// is ErrNotFound, never a 403, so its existence does not leak.
func roleIn(ctx context.Context, st *store.Store, p *Principal, orgID string) (string, error) {
	if !p.CanReachOrg(orgID) {
		return "", store.ErrNotFound
	}
	if p.ActsAsSuperAdmin() {
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

// adminTx runs fn in one transaction that first locks orgID and re-reads the caller's role
// there, so a demotion committed between an early check and the write cannot be outrun:
// 404 when the organization is not visible, 403 unless the caller administers it. Handlers
// also check early, through caller, on purpose: outsiders get their 404/403 before any
// body-level 422 (no existence leak) and without taking the organization lock.
func (d *deps) adminTx(ctx context.Context, p *Principal, orgID string, fn func(tx *store.Store) error) error {
	return d.store.Tx(ctx, func(tx *store.Store) error {
		if err := tx.LockOrgs(ctx, orgID); err != nil {
			return orgErr(err)
		}
		role, err := roleIn(ctx, tx, p, orgID)
		if err != nil {
			return orgErr(err)
		}
		if !isOrgAdmin(role) {
			return errForbidden
		}
		return fn(tx)
	})
}
