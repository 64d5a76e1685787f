package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/internal/instant"
	"github.com/xentree/xentree-api/store"
)

// maxKeyYears bounds an API key's lifetime: a longer one is a key nobody remembers to rotate.
const maxKeyYears = 5

// APIKeysAPI implements scoped integrator keys bound to one organization.
type APIKeysAPI struct{ *deps }

// ListApiKeys lists the caller's own keys plus every key of the organizations it administers.
func (a *APIKeysAPI) ListApiKeys(ctx context.Context, req api.ListApiKeysRequestObject) (api.ListApiKeysResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	limit, offset := page(req.Params.Limit, req.Params.Offset)
	keys, err := a.store.ListAPIKeys(ctx, p.User.ID, limit, offset)
	if err != nil {
		return nil, err
	}
	out := make(api.ListApiKeys200JSONResponse, 0, len(keys))
	for i := range keys {
		out = append(out, apiKeyResponse(&keys[i]))
	}
	return out, nil
}

// CreateApiKey mints a key in an organization the caller belongs to. The secret is returned
// once, here; only its SHA-256 is stored.
func (a *APIKeysAPI) CreateApiKey(ctx context.Context, req api.CreateApiKeyRequestObject) (api.CreateApiKeyResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	b := req.Body
	orgID := b.OrganizationId.String()
	// Keys act with their creator's membership, so only members can mint useful ones.
	if _, err := a.store.MembershipOf(ctx, orgID, p.User.ID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, notFoundError("Organization")
		}
		return nil, err
	}
	var allowed store.StringList
	for _, ip := range derefSlice(b.AllowedIps) {
		pfx, err := parsePrefix(ip)
		if err != nil {
			return nil, unprocessable("invalid_allowed_ips", "allowed_ips entries must be IP addresses or CIDR ranges: "+ip)
		}
		allowed = append(allowed, pfx.String())
	}
	if b.ExpiresAt != nil {
		if err := instant.Expiry(*b.ExpiresAt, a.now(), maxKeyYears); err != nil {
			return nil, unprocessable("invalid_expires_at", fmt.Sprintf("expires_at must be in the future and at most %d years ahead", maxKeyYears))
		}
	}
	scopes := make(store.StringList, 0, len(b.Scopes))
	for _, s := range b.Scopes {
		scopes = append(scopes, string(s))
	}
	name, err := cleanName(b.Name)
	if err != nil {
		return nil, err
	}
	secret := apiKeyPrefix + randomToken(64)
	k := &store.APIKey{
		Name: name, Prefix: secret[:apiKeyShownPart], KeyHash: secretHash(secret),
		OrganizationID: orgID, CreatedBy: p.User.ID, Scopes: scopes, AllowedIPs: allowed,
	}
	if b.ExpiresAt != nil {
		t := b.ExpiresAt.UTC().Truncate(time.Microsecond)
		k.ExpiresAt = &t
	}
	// The response is rendered before the commit: a key whose secret its creator never
	// receives must not be stored.
	var res api.APIKeyResponse
	err = a.store.Tx(ctx, func(tx *store.Store) error {
		if err := tx.CreateAPIKey(ctx, k); err != nil {
			return err
		}
		res = apiKeyResponse(k)
		res.Key = &secret
		_, err := json.Marshal(res)
		return err
	})
	if err != nil {
		return nil, err
	}
	return api.CreateApiKey201JSONResponse(res), nil
}

// DeleteApiKey revokes a key. Its creator, admins of its organization and super_admins may;
// for anyone else the key does not exist.
func (a *APIKeysAPI) DeleteApiKey(ctx context.Context, req api.DeleteApiKeyRequestObject) (api.DeleteApiKeyResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	k, err := a.store.APIKeyByID(ctx, req.KeyId.String())
	if err != nil {
		return nil, keyNotFound(err)
	}
	if k.CreatedBy != p.User.ID {
		role, err := a.orgRole(ctx, p, k.OrganizationID)
		if err != nil || !isOrgAdmin(role) {
			return nil, keyNotFound(err)
		}
	}
	if err := a.store.DeleteAPIKey(ctx, k.ID); err != nil {
		return nil, keyNotFound(err)
	}
	return api.DeleteApiKey204Response{}, nil
}

func keyNotFound(err error) error {
	if err == nil || errors.Is(err, store.ErrNotFound) {
		return notFoundError("API key")
	}
	return err
}

func apiKeyResponse(k *store.APIKey) api.APIKeyResponse {
	scopes := make([]api.APIKeyScope, 0, len(k.Scopes))
	for _, s := range k.Scopes {
		scopes = append(scopes, api.APIKeyScope(s))
	}
	allowed := append([]string{}, k.AllowedIPs...)
	return api.APIKeyResponse{
		Id: uuidOf(k.ID), Name: k.Name, Prefix: k.Prefix, OrganizationId: uuidOf(k.OrganizationID),
		Scopes: scopes, AllowedIps: allowed, ExpiresAt: nullableOf(k.ExpiresAt),
		LastUsedAt: nullableOf(k.LastUsedAt), CreatedAt: k.CreatedAt, CreatedBy: uuidOf(k.CreatedBy),
	}
}

// page applies the list defaults (limit 50; the spec caps it at 200).
func page(limit, offset *int) (int, int) {
	l, o := 50, 0
	if limit != nil {
		l = *limit
	}
	if offset != nil {
		o = *offset
	}
	return l, o
}

func derefSlice[T any](s *[]T) []T {
	if s == nil {
		return nil
	}
	return *s
}
