package server

import (
	"context"

	"github.com/xentree/xentree-api/store"
)

// Principal is the authenticated caller, put on the request context by the validator.
// Exactly one of SessionID (bearer token) or APIKey is set.
type Principal struct {
	User      *store.User
	SessionID string
	APIKey    *store.APIKey
}

// SuperAdmin reports whether the caller holds the platform super_admin role.
func (p *Principal) SuperAdmin() bool { return p.User.Role == store.RoleSuperAdmin }

// ActsAsSuperAdmin reports whether the caller wields super_admin powers: a super_admin with a
// bearer token. Its API keys act with its memberships only, like anyone's.
func (p *Principal) ActsAsSuperAdmin() bool { return p.SuperAdmin() && p.APIKey == nil }

// ViaAPIKey reports whether the caller authenticated with an API key.
func (p *Principal) ViaAPIKey() bool { return p.APIKey != nil }

// CanReachOrg reports whether the credential may act in orgID at all: an API key only
// ever reaches its own organization (tenancy), a bearer token any.
func (p *Principal) CanReachOrg(orgID string) bool {
	return p.APIKey == nil || p.APIKey.OrganizationID == orgID
}

type principalKey struct{}

type requestMeta struct {
	ClientIP  string
	UserAgent string
	// Accept is the request's Accept header (the chat streams when it asks for events).
	Accept string
}

type metaKey struct{}

func withPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// principal returns the caller. Operations with security always have one; asking for it on a
// public operation is a programming error, answered with 401 rather than a panic.
func principal(ctx context.Context) (*Principal, error) {
	if p, ok := ctx.Value(principalKey{}).(*Principal); ok && p != nil {
		return p, nil
	}
	return nil, errNotAuthenticated
}

func meta(ctx context.Context) requestMeta {
	m, _ := ctx.Value(metaKey{}).(requestMeta)
	return m
}
