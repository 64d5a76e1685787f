package server

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/oapi-codegen/nullable"
	"golang.org/x/oauth2"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/internal/googleoauth"
	"github.com/xentree/xentree-api/internal/secretbox"
	"github.com/xentree/xentree-api/store"
)

// IntegrationsAPI implements integrations with third-party accounts: Google Calendar over
// OAuth 2.0 with PKCE. The state handed to the browser is stored only as a hash, with the
// user it connects and the sealed PKCE verifier; tokens are stored sealed (internal/secretbox).
type IntegrationsAPI struct {
	*deps
	// google is nil when the client credentials are not configured (then missing names them).
	google  *googleoauth.Client
	missing []string
	box     *secretbox.Box
	appURL  *url.URL
}

// revokeTimeout bounds the best-effort revocation after a disconnect.
const revokeTimeout = 10 * time.Second

func (c *Config) integrationDefaults() {
	if c.OAuthStateTTL == 0 {
		c.OAuthStateTTL = 10 * time.Minute
	}
}

// newIntegrationsAPI checks the integration settings. Google is either not configured at all
// (its routes answer 503) or fully: half a configuration, or Google without an encryption key,
// refuses to start rather than fail at the first user.
func newIntegrationsAPI(d *deps) (*IntegrationsAPI, error) {
	cfg := d.cfg
	a := &IntegrationsAPI{deps: d}
	if len(cfg.EncryptionKey) > 0 {
		box, err := secretbox.New(cfg.EncryptionKey, cfg.EncryptionPreviousKeys...)
		if err != nil {
			return nil, fmt.Errorf("encryption key: %w", err)
		}
		a.box = box
	}
	g := cfg.Google
	for _, s := range []struct{ name, value string }{
		{"XENTREE_GOOGLE_CLIENT_ID", g.ClientID}, {"XENTREE_GOOGLE_CLIENT_SECRET", g.ClientSecret},
		{"XENTREE_GOOGLE_REDIRECT_URL", g.RedirectURL},
	} {
		if s.value == "" {
			a.missing = append(a.missing, s.name)
		}
	}
	for _, s := range []struct{ name, value string }{
		{"XENTREE_APP_URL", cfg.AppURL}, {"XENTREE_GOOGLE_REDIRECT_URL", g.RedirectURL},
		{"XENTREE_GOOGLE_AUTH_URL", g.AuthURL}, {"XENTREE_GOOGLE_TOKEN_URL", g.TokenURL},
		{"XENTREE_GOOGLE_USERINFO_URL", g.UserInfoURL}, {"XENTREE_GOOGLE_REVOKE_URL", g.RevokeURL},
	} {
		if s.value == "" {
			continue
		}
		if u, err := url.Parse(s.value); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("%s must be an absolute http(s) URL, got %q", s.name, s.value)
		}
	}
	if cfg.AppURL != "" {
		a.appURL, _ = url.Parse(cfg.AppURL)
	}
	switch {
	case len(a.missing) == 3:
	case len(a.missing) > 0:
		return nil, fmt.Errorf("google calendar is half configured: set %s too", strings.Join(a.missing, ", "))
	case a.box == nil:
		return nil, errors.New("XENTREE_ENCRYPTION_KEY is required when Google Calendar is configured (tokens are stored encrypted)")
	default:
		a.google = googleoauth.New(g)
	}
	return a, nil
}

func (a *IntegrationsAPI) notConfigured() *APIError {
	return newError(http.StatusServiceUnavailable, "not_configured",
		"Google Calendar is not configured on this server: set "+strings.Join(a.missing, ", "))
}

// sealedFor is the associated data binding a sealed value to where it is stored.
func sealedFor(parts ...string) []byte { return []byte(strings.Join(parts, "/")) }

// ListIntegrations lists the caller's integrations; Google Calendar is always there, as
// not_connected until connected.
func (a *IntegrationsAPI) ListIntegrations(ctx context.Context, _ api.ListIntegrationsRequestObject) (api.ListIntegrationsResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := a.store.IntegrationsOf(ctx, p.User.ID)
	if err != nil {
		return nil, err
	}
	out := api.ListIntegrations200JSONResponse{}
	for i := range rows {
		out = append(out, integrationResponse(&rows[i]))
	}
	if len(rows) == 0 {
		out = append(out, api.IntegrationResponse{
			Provider: api.GoogleCalendar, Status: api.IntegrationResponseStatusNotConnected,
			AccountEmail: nullable.NewNullNullable[string](), Scopes: []string{},
			ConnectedAt: nullable.NewNullNullable[time.Time](),
		})
	}
	return out, nil
}

func integrationResponse(in *store.Integration) api.IntegrationResponse {
	return api.IntegrationResponse{
		Provider: api.IntegrationResponseProvider(in.Provider), Status: api.IntegrationResponseStatus(in.Status),
		AccountEmail: nullableOf(in.AccountEmail), Scopes: strings.Fields(in.Scopes),
		ConnectedAt: nullable.NewNullableWithValue(in.ConnectedAt),
	}
}

// StartGoogleCalendarOAuth issues a single-use state bound to the caller and returns Google's
// consent URL with the PKCE challenge of a fresh verifier.
func (a *IntegrationsAPI) StartGoogleCalendarOAuth(ctx context.Context, _ api.StartGoogleCalendarOAuthRequestObject) (api.StartGoogleCalendarOAuthResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if a.google == nil {
		return nil, a.notConfigured()
	}
	state, verifier := randomToken(32), oauth2.GenerateVerifier()
	hash := secretHash(state)
	st := &store.OAuthState{
		StateHash: hash, UserID: p.User.ID, Provider: store.ProviderGoogleCalendar,
		SealedVerifier: a.box.Seal([]byte(verifier), sealedFor("oauth_states", hash, "verifier")),
		ExpiresAt:      a.now().Add(a.cfg.OAuthStateTTL),
	}
	if err := a.store.CreateOAuthState(ctx, st); err != nil {
		return nil, err
	}
	return api.StartGoogleCalendarOAuth200JSONResponse{
		AuthorizationUrl: a.google.AuthCodeURL(state, verifier), State: state, ExpiresAt: st.ExpiresAt,
	}, nil
}

// OAuth callback outcomes.
var (
	errStateInvalid  = newError(http.StatusBadRequest, "oauth_state_invalid", "Unknown OAuth state: start the connection again")
	errStateUsed     = newError(http.StatusBadRequest, "oauth_state_used", "This OAuth state was already used: start the connection again")
	errStateExpired  = newError(http.StatusBadRequest, "oauth_state_expired", "This OAuth state has expired: start the connection again")
	errStateMismatch = newError(http.StatusBadRequest, "oauth_state_mismatch", "This OAuth state was issued to another user")
	errCodeMissing   = newError(http.StatusBadRequest, "oauth_code_missing", "Google sent no authorization code")
	errCodeRejected  = newError(http.StatusBadRequest, "oauth_code_rejected", "Google refused the authorization code: start the connection again")
	errScopeDenied   = newError(http.StatusBadRequest, "oauth_scope_denied", "Access to Google Calendar was not granted: connect again and allow access to your calendar events")
)

// GoogleCalendarOAuthCallback completes the flow. The state names the user; a bearer token, when
// an app forwards the callback with one, must be that user's. A browser arriving without
// credentials goes back to the app URL (when configured) with the outcome in the query.
func (a *IntegrationsAPI) GoogleCalendarOAuthCallback(ctx context.Context, req api.GoogleCalendarOAuthCallbackRequestObject) (api.GoogleCalendarOAuthCallbackResponseObject, error) {
	p, _ := principal(ctx) // optional on this route
	in, err := a.completeGoogle(ctx, p, req.Params)
	if p == nil && a.appURL != nil {
		q := url.Values{"integration": {store.ProviderGoogleCalendar}, "status": {"connected"}}
		if err != nil {
			e := toAPIError(err)
			if e.Status >= 500 {
				a.log.ErrorContext(ctx, "google calendar callback failed", "err", err)
			}
			q.Set("status", "error")
			q.Set("error", e.Code)
		}
		u := *a.appURL
		if u.RawQuery != "" {
			u.RawQuery += "&"
		}
		u.RawQuery += q.Encode()
		loc := u.String()
		return api.GoogleCalendarOAuthCallback302Response{Headers: api.GoogleCalendarOAuthCallback302ResponseHeaders{Location: &loc}}, nil
	}
	if err != nil {
		return nil, err
	}
	return api.GoogleCalendarOAuthCallback200JSONResponse(integrationResponse(in)), nil
}

// completeGoogle spends the state, exchanges the code with the verifier, reads the account
// email and stores the sealed tokens.
func (a *IntegrationsAPI) completeGoogle(ctx context.Context, p *Principal, params api.GoogleCalendarOAuthCallbackParams) (*store.Integration, error) {
	if a.google == nil {
		return nil, a.notConfigured()
	}
	hash := secretHash(params.State)
	st, err := a.store.ConsumeOAuthState(ctx, hash, store.ProviderGoogleCalendar)
	switch {
	case errors.Is(err, store.ErrOAuthStateUnknown):
		return nil, errStateInvalid
	case errors.Is(err, store.ErrOAuthStateUsed):
		return nil, errStateUsed
	case errors.Is(err, store.ErrOAuthStateExpired):
		return nil, errStateExpired
	case err != nil:
		return nil, err
	}
	if p != nil && p.User.ID != st.UserID {
		return nil, errStateMismatch
	}
	if params.Error != nil {
		return nil, newError(http.StatusBadRequest, "oauth_denied", "Google authorization was not granted: "+cleanText(*params.Error, 100))
	}
	if params.Code == nil || *params.Code == "" {
		return nil, errCodeMissing
	}
	if u, err := a.store.UserByID(ctx, st.UserID); err != nil || u.DisabledAt != nil {
		return nil, errStateInvalid
	}
	verifier, err := a.box.Open(st.SealedVerifier, sealedFor("oauth_states", hash, "verifier"))
	if err != nil {
		return nil, fmt.Errorf("open PKCE verifier: %w", err)
	}
	tok, err := a.google.Exchange(ctx, *params.Code, string(verifier))
	if errors.Is(err, googleoauth.ErrCodeRejected) {
		return nil, &APIError{Status: errCodeRejected.Status, Code: errCodeRejected.Code, Message: errCodeRejected.Message, Err: err}
	}
	if err != nil {
		return nil, providerError(err)
	}
	scopes := a.google.GrantedScopes(tok)
	if !googleoauth.GrantsCalendar(scopes) {
		a.revokeNow(ctx, a.log.With("user_id", st.UserID, "provider", store.ProviderGoogleCalendar), cmp.Or(tok.RefreshToken, tok.AccessToken))
		return nil, errScopeDenied
	}
	email, err := a.google.Email(ctx, tok.AccessToken)
	if err != nil {
		return nil, providerError(err)
	}
	in, err := a.sealTokens(ctx, st.UserID, tok, email)
	if err != nil {
		return nil, err
	}
	in.AccountEmail = emptyToNil(&email)
	in.Scopes = strings.Join(scopes, " ")
	prev, err := a.store.SaveIntegration(ctx, in)
	if err != nil {
		return nil, err
	}
	// Google revokes per grant: revoking a replaced token of the same account would end the
	// new one too. Another account's grant is no longer held by anyone and must not outlive it.
	if prev != nil && (prev.AccountEmail == nil || !strings.EqualFold(*prev.AccountEmail, email)) {
		a.revoke(ctx, prev)
	}
	return a.store.IntegrationOf(ctx, st.UserID, store.ProviderGoogleCalendar)
}

func providerError(err error) *APIError {
	return &APIError{Status: http.StatusBadGateway, Code: "oauth_provider_error", Message: "Google could not complete the connection; try again later", Err: err}
}

// sealTokens builds the integration row with tok's tokens (of the Google account email) sealed
// under the current key. Google may send no refresh token on a reconnect: the stored one is then
// kept (sealed again), but only for the same account — another account's would refresh into it.
func (a *IntegrationsAPI) sealTokens(ctx context.Context, userID string, tok *oauth2.Token, email string) (*store.Integration, error) {
	provider := store.ProviderGoogleCalendar
	in := &store.Integration{
		UserID: userID, Provider: provider, Status: store.IntegrationConnected, TokenType: tok.Type(),
		SealedAccess: a.box.Seal([]byte(tok.AccessToken), sealedFor("integrations", userID, provider, "access")),
		KeyID:        a.box.CurrentKeyID(),
	}
	if tok.ExpiresIn > 0 {
		exp := a.now().Add(time.Duration(tok.ExpiresIn) * time.Second)
		in.TokenExpiry = &exp
	}
	refresh := tok.RefreshToken
	if refresh == "" {
		prev, err := a.store.IntegrationOf(ctx, userID, provider)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		if err == nil && prev.SealedRefresh != nil && email != "" && prev.AccountEmail != nil && strings.EqualFold(*prev.AccountEmail, email) {
			old, err := a.box.Open(*prev.SealedRefresh, sealedFor("integrations", userID, provider, "refresh"))
			if err != nil {
				return nil, fmt.Errorf("open stored refresh token: %w", err)
			}
			refresh = string(old)
		}
	}
	if refresh != "" {
		sealed := a.box.Seal([]byte(refresh), sealedFor("integrations", userID, provider, "refresh"))
		in.SealedRefresh = &sealed
	}
	return in, nil
}

// DisconnectGoogleCalendar forgets the tokens, then revokes them at Google (best effort, logged).
func (a *IntegrationsAPI) DisconnectGoogleCalendar(ctx context.Context, _ api.DisconnectGoogleCalendarRequestObject) (api.DisconnectGoogleCalendarResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	provider := store.ProviderGoogleCalendar
	in, err := a.store.DeleteIntegration(ctx, p.User.ID, provider)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFoundError("Google Calendar integration")
	}
	if err != nil {
		return nil, err
	}
	a.revoke(ctx, in)
	return api.DisconnectGoogleCalendar204Response{}, nil
}

// revoke revokes a forgotten integration's tokens at Google, best effort: failures are logged
// (without the token) and the disconnect stands. Revoking the refresh token ends its access
// tokens too; without one, the access token is revoked.
func (a *IntegrationsAPI) revoke(ctx context.Context, in *store.Integration) {
	log := a.log.With("user_id", in.UserID, "provider", in.Provider)
	if a.google == nil {
		log.WarnContext(ctx, "integration forgotten without revocation: google is not configured")
		return
	}
	sealed, column := in.SealedAccess, "access"
	if in.SealedRefresh != nil {
		sealed, column = *in.SealedRefresh, "refresh"
	}
	token, err := a.box.Open(sealed, sealedFor("integrations", in.UserID, in.Provider, column))
	if err != nil {
		log.WarnContext(ctx, "integration forgotten without revocation: the token does not open", "err", err)
		return
	}
	a.revokeNow(ctx, log, string(token))
}

// revokeNow revokes token at Google within revokeTimeout, detached from the request; a failure
// is logged (without the token).
func (a *IntegrationsAPI) revokeNow(ctx context.Context, log *slog.Logger, token string) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), revokeTimeout)
	defer cancel()
	if err := a.google.Revoke(rctx, token); err != nil {
		log.WarnContext(ctx, "token revocation failed; the integration is forgotten anyway", "err", err)
	}
}
