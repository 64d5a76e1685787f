package server

import (
	"context"
	"errors"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/store"
)

// OrganizationsAPI implements organizations.
type OrganizationsAPI struct{ *deps }

// ListOrganizations lists the caller's organizations (a super_admin's `all=true`: every one);
// an API key sees only its own organization.
func (a *OrganizationsAPI) ListOrganizations(ctx context.Context, req api.ListOrganizationsRequestObject) (api.ListOrganizationsResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	limit, offset := page(req.Params.Limit, req.Params.Offset)
	f := store.OrgFilter{ViewerID: p.User.ID, Limit: limit, Offset: offset,
		All: p.ActsAsSuperAdmin() && req.Params.All != nil && *req.Params.All}
	if p.ViaAPIKey() {
		f.OnlyID = p.APIKey.OrganizationID
	}
	rows, err := a.store.ListOrganizations(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make(api.ListOrganizations200JSONResponse, 0, len(rows))
	for i := range rows {
		out = append(out, orgResponse(&rows[i]))
	}
	return out, nil
}

// CreateOrganization creates an organization with the caller as its admin.
func (a *OrganizationsAPI) CreateOrganization(ctx context.Context, req api.CreateOrganizationRequestObject) (api.CreateOrganizationResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	b := req.Body
	name, err := cleanName(b.Name)
	if err != nil {
		return nil, err
	}
	o := &store.Organization{Name: name, Description: emptyToNil(b.Description)}
	if b.Slug != nil {
		o.Slug = *b.Slug
	}
	if err := a.store.CreateOrganization(ctx, o, p.User.ID); err != nil {
		return nil, orgErr(err)
	}
	v, err := a.store.OrgSummary(ctx, o.ID, p.User.ID)
	if err != nil {
		return nil, err
	}
	return api.CreateOrganization201JSONResponse(orgResponse(v)), nil
}

// GetOrganization returns an organization to its members (and super_admins).
func (a *OrganizationsAPI) GetOrganization(ctx context.Context, req api.GetOrganizationRequestObject) (api.GetOrganizationResponseObject, error) {
	orgID := req.OrgId.String()
	p, _, err := a.caller(ctx, orgID, false)
	if err != nil {
		return nil, err
	}
	v, err := a.store.OrgSummary(ctx, orgID, p.User.ID)
	if err != nil {
		return nil, orgErr(err)
	}
	return api.GetOrganization200JSONResponse(orgResponse(v)), nil
}

// UpdateOrganization changes only the fields sent (org admins).
func (a *OrganizationsAPI) UpdateOrganization(ctx context.Context, req api.UpdateOrganizationRequestObject) (api.UpdateOrganizationResponseObject, error) {
	orgID := req.OrgId.String()
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
	if b.Slug != nil {
		changes["slug"] = *b.Slug
	}
	if b.Description.IsSpecified() {
		changes["description"] = emptyToNil(nullableString(b.Description))
	}
	err = a.adminTx(ctx, p, orgID, func(tx *store.Store) error {
		return tx.UpdateOrganization(ctx, orgID, changes)
	})
	if err != nil {
		return nil, orgErr(err)
	}
	v, err := a.store.OrgSummary(ctx, orgID, p.User.ID)
	if err != nil {
		return nil, orgErr(err)
	}
	return api.UpdateOrganization200JSONResponse(orgResponse(v)), nil
}

// DeleteOrganization removes an organization with its teams and memberships and revokes its
// API keys (org admins).
func (a *OrganizationsAPI) DeleteOrganization(ctx context.Context, req api.DeleteOrganizationRequestObject) (api.DeleteOrganizationResponseObject, error) {
	orgID := req.OrgId.String()
	p, _, err := a.caller(ctx, orgID, true)
	if err != nil {
		return nil, err
	}
	err = a.adminTx(ctx, p, orgID, func(tx *store.Store) error { return tx.DeleteOrganization(ctx, orgID) })
	if err != nil {
		return nil, orgErr(err)
	}
	return api.DeleteOrganization204Response{}, nil
}

// caller resolves the principal and its effective role in orgID (see roleIn): 404 when the organization is
// not visible to it, 403 when adminOnly and the role does not administer the organization.
func (d *deps) caller(ctx context.Context, orgID string, adminOnly bool) (*Principal, string, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, "", err
	}
	role, err := d.orgRole(ctx, p, orgID)
	if err != nil {
		return nil, "", orgErr(err)
	}
	if adminOnly && !isOrgAdmin(role) {
		return nil, "", errForbidden
	}
	return p, role, nil
}

// orgErr names the organization in a not-found error.
func orgErr(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return notFoundError("Organization")
	}
	return err
}

func orgResponse(v *store.OrgSummary) api.OrganizationResponse {
	r := api.OrganizationResponse{
		Id: uuidOf(v.ID), Name: v.Name, Slug: v.Slug, Description: nullableOf(v.Description),
		MemberCount: v.MemberCount, CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt,
	}
	if v.MyRole != nil {
		r.MyRole.Set(api.OrgRole(*v.MyRole))
	} else {
		r.MyRole.SetNull()
	}
	return r
}
