package server

import (
	"context"

	api "github.com/xentree/xentree-api/gen"
)

// OrganizationsAPI implements organizations.
type OrganizationsAPI struct{ *deps }

// ListOrganizations answers 501 until its area lands.
func (a *OrganizationsAPI) ListOrganizations(ctx context.Context, request api.ListOrganizationsRequestObject) (api.ListOrganizationsResponseObject, error) {
	return nil, errNotImplemented
}

// CreateOrganization answers 501 until its area lands.
func (a *OrganizationsAPI) CreateOrganization(ctx context.Context, request api.CreateOrganizationRequestObject) (api.CreateOrganizationResponseObject, error) {
	return nil, errNotImplemented
}

// GetOrganization answers 501 until its area lands.
func (a *OrganizationsAPI) GetOrganization(ctx context.Context, request api.GetOrganizationRequestObject) (api.GetOrganizationResponseObject, error) {
	return nil, errNotImplemented
}

// UpdateOrganization answers 501 until its area lands.
func (a *OrganizationsAPI) UpdateOrganization(ctx context.Context, request api.UpdateOrganizationRequestObject) (api.UpdateOrganizationResponseObject, error) {
	return nil, errNotImplemented
}

// DeleteOrganization answers 501 until its area lands.
func (a *OrganizationsAPI) DeleteOrganization(ctx context.Context, request api.DeleteOrganizationRequestObject) (api.DeleteOrganizationResponseObject, error) {
	return nil, errNotImplemented
}
