package server

import (
	"context"

	api "github.com/xentree/xentree-api/gen"
)

// APIKeysAPI implements aPI keys: scoped integrator keys bound to one organization.
type APIKeysAPI struct{ *deps }

// ListApiKeys answers 501 until its area lands.
func (a *APIKeysAPI) ListApiKeys(ctx context.Context, request api.ListApiKeysRequestObject) (api.ListApiKeysResponseObject, error) {
	return nil, errNotImplemented
}

// CreateApiKey answers 501 until its area lands.
func (a *APIKeysAPI) CreateApiKey(ctx context.Context, request api.CreateApiKeyRequestObject) (api.CreateApiKeyResponseObject, error) {
	return nil, errNotImplemented
}

// DeleteApiKey answers 501 until its area lands.
func (a *APIKeysAPI) DeleteApiKey(ctx context.Context, request api.DeleteApiKeyRequestObject) (api.DeleteApiKeyResponseObject, error) {
	return nil, errNotImplemented
}
