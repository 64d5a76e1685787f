package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/xentree/xentree-api/store"
)

// API key format: "xntr-" and 86 URL-safe base64 characters (64 random bytes).
const (
	apiKeyPrefix    = "xntr-"
	apiKeyLength    = len(apiKeyPrefix) + 86
	apiKeyShownPart = 12
)

// authenticator checks credentials for kin-openapi's AuthenticationFunc, once per security
// scheme the operation accepts.
type authenticator struct {
	store *store.Store
	keys  *tokenKeys
	log   *slog.Logger
}

var errNoCredentials = errors.New("no credentials for this scheme")

func (a *authenticator) authenticate(ctx context.Context, in *openapi3filter.AuthenticationInput) error {
	res, _ := ctx.Value(authResultKey{}).(*authResult)
	if res == nil {
		return errors.New("authentication outside the validator")
	}
	r := in.RequestValidationInput.Request
	var (
		p   *Principal
		err error
	)
	switch in.SecuritySchemeName {
	case "bearerAuth":
		h, ok := r.Header["Authorization"]
		if !ok {
			return errNoCredentials
		}
		p, err = a.bearer(ctx, strings.Join(h, ","))
	case "apiKeyAuth":
		k := r.Header.Get("X-API-Key")
		if k == "" {
			return errNoCredentials
		}
		p, err = a.apiKey(ctx, k, in.Scopes)
	default:
		return errors.New("unknown security scheme " + in.SecuritySchemeName)
	}
	if err != nil {
		return err
	}
	res.p = p
	return nil
}

func invalidToken(msg string) *APIError {
	return newError(http.StatusUnauthorized, "invalid_token", msg)
}

// bearer accepts exactly "Bearer <jwt>": a signed access token of a live session.
func (a *authenticator) bearer(ctx context.Context, header string) (*Principal, error) {
	raw, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || raw == "" || strings.ContainsAny(raw, " \t,") {
		return nil, invalidToken("Authorization header must be 'Bearer <token>'")
	}
	claims, err := a.keys.verify(raw)
	if err != nil {
		return nil, &APIError{Status: http.StatusUnauthorized, Code: "invalid_token", Message: "Invalid or expired access token", Err: err}
	}
	u, err := a.store.ActiveSessionUser(ctx, claims.Sid, claims.Subject)
	if errors.Is(err, store.ErrNotFound) {
		return nil, invalidToken("Session has ended")
	}
	if err != nil {
		return nil, err
	}
	return &Principal{User: u, SessionID: claims.Sid}, nil
}

// apiKey checks, in order: the key is valid (exists, unexpired, client IP allowed, creator
// active) else 401; then the operation's scope else 403 INSUFFICIENT_API_KEY_SCOPE.
func (a *authenticator) apiKey(ctx context.Context, raw string, scopes []string) (*Principal, error) {
	invalid := newError(http.StatusUnauthorized, "invalid_api_key", "Invalid, expired or revoked API key")
	if len(raw) != apiKeyLength || !strings.HasPrefix(raw, apiKeyPrefix) {
		return nil, invalid
	}
	k, err := a.store.APIKeyByHash(ctx, secretHash(raw))
	if errors.Is(err, store.ErrNotFound) {
		return nil, invalid
	}
	if err != nil {
		return nil, err
	}
	if k.ExpiresAt != nil && !k.ExpiresAt.After(a.store.Now()) {
		return nil, invalid
	}
	if !a.ipAllowed(ctx, k, meta(ctx).ClientIP) {
		return nil, newError(http.StatusUnauthorized, "invalid_api_key", "API key is not allowed from this address")
	}
	u, err := a.store.UserByID(ctx, k.CreatedBy)
	if errors.Is(err, store.ErrNotFound) || (err == nil && u.DisabledAt != nil) {
		return nil, invalid
	}
	if err != nil {
		return nil, err
	}
	for _, s := range scopes {
		if !slices.Contains(k.Scopes, s) {
			return nil, &APIError{
				Status: http.StatusForbidden, Code: "INSUFFICIENT_API_KEY_SCOPE",
				Message: "API key lacks required scope for this endpoint",
				Scope:   &scopeDetail{Required: s, Granted: k.Scopes},
			}
		}
	}
	if k.LastUsedAt == nil || a.store.Now().Sub(*k.LastUsedAt) >= time.Minute {
		if err := a.store.TouchAPIKey(ctx, k.ID); err != nil {
			return nil, err
		}
	}
	return &Principal{User: u, APIKey: k}, nil
}

// ipAllowed reports whether the client ip may use k: its allow-list (addresses or CIDR
// prefixes) is empty or has a match. A stored entry that does not parse refuses the key and is
// logged: the list is corrupt, and skipping an entry would quietly change what it allows.
func (a *authenticator) ipAllowed(ctx context.Context, k *store.APIKey, ip string) bool {
	if len(k.AllowedIPs) == 0 {
		return true
	}
	prefixes := make([]netip.Prefix, 0, len(k.AllowedIPs))
	for _, e := range k.AllowedIPs {
		p, err := parsePrefix(e)
		if err != nil {
			a.log.ErrorContext(ctx, "API key refused: unparseable allowed_ips entry", "key_id", k.ID, "entry", e, "err", err)
			return false
		}
		prefixes = append(prefixes, p)
	}
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	addr = addr.WithZone("").Unmap()
	for _, p := range prefixes {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// parsePrefix reads "10.0.0.0/8" or a single address (as a /32 or /128). Clients are matched
// by their IPv4 address when they have one, so IPv4-mapped IPv6 ("::ffff:10.0.0.0/104",
// "::ffff:10.1.2.3") becomes the IPv4 prefix it means; a mapped prefix shorter than /96 mixes
// both families and is refused, as are zones.
func parsePrefix(s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		if a.Zone() != "" {
			return netip.Prefix{}, errors.New("zoned addresses cannot be matched")
		}
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	if a := p.Addr(); a.Is4In6() {
		if p.Bits() < 96 {
			return netip.Prefix{}, errors.New("an IPv4-mapped prefix must be /96 or longer; write it as IPv4")
		}
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p.Masked(), nil
}
