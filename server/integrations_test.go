package server_test

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/internal/googleoauth"
	"github.com/xentree/xentree-api/server"
	"github.com/xentree/xentree-api/store"
)

const (
	googleClientID = "client-1.apps.googleusercontent.com"
	googleSecret   = "client-secret-1"
	googleRedirect = "https://api.xentree.test/api/integrations/google-calendar/oauth/callback"
)

// testEncryptionKey seals tokens in tests.
var testEncryptionKey = bytes.Repeat([]byte{7}, 32)

// fakeGoogle is an httptest server speaking Google's OAuth wire protocol: consent hands out
// codes bound to a PKCE challenge; the token endpoint checks client, redirect, code and
// verifier and issues unique canary tokens; userinfo answers for issued access tokens; revoke
// records what it revokes.
type fakeGoogle struct {
	*httptest.Server
	mu       sync.Mutex
	n        int
	codes    map[string]string // code → challenge
	access   map[string]bool
	verifier []string // code_verifier of every token request
	revoked  []string
	issued   []string // every token handed out
	// failToken, when set, answers the token endpoint instead (status, JSON body).
	failToken *struct {
		status int
		body   string
	}
	noRefresh  bool
	failRevoke bool
	// expiresIn, when set, replaces the token response's expires_in; email, when set, the
	// account's email.
	expiresIn any
	email     string
	// scope, when set, replaces the scopes the token response grants.
	scope string
}

func newFakeGoogle(t *testing.T) *fakeGoogle {
	g := &fakeGoogle{codes: map[string]string{}, access: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", g.token)
	mux.HandleFunc("GET /userinfo", func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		ok := g.access[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
		g.mu.Unlock()
		if !ok {
			http.Error(w, `{"error":"invalid_token"}`, http.StatusUnauthorized)
			return
		}
		g.mu.Lock()
		email := cmp.Or(g.email, "ada.lovelace@gmail.com")
		g.mu.Unlock()
		fmt.Fprintf(w, `{"sub":"1234","email":%q,"email_verified":true}`, email)
	})
	mux.HandleFunc("POST /revoke", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		g.mu.Lock()
		defer g.mu.Unlock()
		if g.failRevoke {
			http.Error(w, `{"error":"backend"}`, http.StatusServiceUnavailable)
			return
		}
		g.revoked = append(g.revoked, r.PostForm.Get("token"))
	})
	g.Server = httptest.NewServer(mux)
	t.Cleanup(g.Close)
	return g
}

func (g *fakeGoogle) token(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	f := r.PostForm
	g.mu.Lock()
	defer g.mu.Unlock()
	g.verifier = append(g.verifier, f.Get("code_verifier"))
	reply := func(status int, body string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}
	if g.failToken != nil {
		reply(g.failToken.status, g.failToken.body)
		return
	}
	if f.Get("client_id") != googleClientID || f.Get("client_secret") != googleSecret {
		reply(401, `{"error":"invalid_client"}`)
		return
	}
	challenge, ok := g.codes[f.Get("code")]
	if !ok || f.Get("grant_type") != "authorization_code" || f.Get("redirect_uri") != googleRedirect ||
		oauth2.S256ChallengeFromVerifier(f.Get("code_verifier")) != challenge {
		reply(400, `{"error":"invalid_grant","error_description":"Bad Request"}`)
		return
	}
	delete(g.codes, f.Get("code"))
	g.n++
	access, refresh := fmt.Sprintf("ya29.canary-access-%d", g.n), fmt.Sprintf("1//canary-refresh-%d", g.n)
	g.access[access] = true
	g.issued = append(g.issued, access)
	body := map[string]any{"access_token": access, "token_type": "Bearer", "expires_in": 3599,
		"scope": "openid https://www.googleapis.com/auth/calendar.events email"}
	if g.expiresIn != nil {
		body["expires_in"] = g.expiresIn
	}
	if g.scope != "" {
		body["scope"] = g.scope
	}
	if !g.noRefresh {
		body["refresh_token"] = refresh
		g.issued = append(g.issued, refresh)
	}
	b, _ := json.Marshal(body)
	reply(200, string(b))
}

// consent plays the user approving the consent page: it checks the authorization URL and
// returns the code Google would send back to the callback.
func (g *fakeGoogle) consent(t *testing.T, authURL string) string {
	t.Helper()
	u, err := url.Parse(authURL)
	if err != nil || u.Scheme+"://"+u.Host != g.URL || u.Path != "/auth" {
		t.Fatalf("authorization URL %s", authURL)
	}
	q := u.Query()
	for k, v := range map[string]string{"client_id": googleClientID, "redirect_uri": googleRedirect, "response_type": "code",
		"access_type": "offline", "prompt": "consent", "code_challenge_method": "S256",
		"scope": strings.Join(googleoauth.Scopes, " ")} {
		if q.Get(k) != v {
			t.Fatalf("authorization URL %s = %q, want %q", k, q.Get(k), v)
		}
	}
	if len(q.Get("code_challenge")) != 43 || q.Has("code_verifier") {
		t.Fatalf("PKCE parameters %v", q)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.n++
	code := fmt.Sprintf("4/code-%d", g.n)
	g.codes[code] = q.Get("code_challenge")
	return code
}

func (g *fakeGoogle) with(f func(g *fakeGoogle)) {
	g.mu.Lock()
	defer g.mu.Unlock()
	f(g)
}

func withGoogle(g *fakeGoogle) option {
	return func(c *server.Config) {
		c.Google = googleoauth.Config{ClientID: googleClientID, ClientSecret: googleSecret, RedirectURL: googleRedirect,
			AuthURL: g.URL + "/auth", TokenURL: g.URL + "/token", UserInfoURL: g.URL + "/userinfo", RevokeURL: g.URL + "/revoke",
			Timeout: 2 * time.Second}
		c.EncryptionKey = testEncryptionKey
	}
}

func (h *harness) oauthStart(u *user) api.OAuthStartResponse {
	h.t.Helper()
	var s api.OAuthStartResponse
	h.raw("GET", "/api/integrations/google-calendar/oauth/start", nil, u.auth()).expect(h.t, 200).decode(h.t, &s)
	return s
}

func callbackPath(state, code string) string {
	q := url.Values{"state": {state}}
	if code != "" {
		q.Set("code", code)
	}
	return "/api/integrations/google-calendar/oauth/callback?" + q.Encode()
}

func (h *harness) integrations(u *user) []api.IntegrationResponse {
	h.t.Helper()
	var out []api.IntegrationResponse
	h.raw("GET", "/api/integrations", nil, u.auth()).expect(h.t, 200).decode(h.t, &out)
	return out
}

// secretsInTable fails the test when any column of any row of table holds one of secrets.
func (h *harness) secretsInTable(table string, secrets ...string) {
	h.t.Helper()
	var rows []map[string]any
	if err := h.store.DB(context.Background()).Table(table).Find(&rows).Error; err != nil {
		h.t.Fatal(err)
	}
	for _, row := range rows {
		for col, v := range row {
			text := fmt.Sprint(v)
			if b, ok := v.([]byte); ok {
				text = string(b)
			}
			for _, s := range secrets {
				if s != "" && strings.Contains(text, s) {
					h.t.Fatalf("%s.%s holds a secret in clear: %q", table, col, text)
				}
			}
		}
	}
}

func oauthError(t *testing.T, r resp, status int, code string) {
	t.Helper()
	if d := r.expect(t, status).errorBody(t); d.Error != code {
		t.Fatalf("error %s, want %s: %s", d.Error, code, r.Body)
	}
}

// TestGoogleCalendarOAuth: the whole flow against a fake Google — consent URL with PKCE S256
// and offline access, a state stored only as a hash, the code exchanged with the matching
// verifier, tokens sealed (no column holds them), the integration listed — and every way the
// callback is refused: replayed, unknown, expired, another user's, declined, provider errors.
func TestGoogleCalendarOAuth(t *testing.T) {
	g := newFakeGoogle(t)
	eachDB(t, func(t *testing.T, h *harness) {
		h.clock.Freeze(at("2026-11-10T10:00:00Z"))
		u, other := h.newUser("gcal"), h.newUser("gcal_other")
		if l := h.integrations(u); len(l) != 1 || l[0].Provider != "google_calendar" || l[0].Status != "not_connected" ||
			!l[0].ConnectedAt.IsNull() || !l[0].AccountEmail.IsNull() || len(l[0].Scopes) != 0 {
			t.Fatalf("before connecting: %+v", l)
		}

		start := h.oauthStart(u)
		if len(start.State) < 43 || !start.ExpiresAt.Equal(at("2026-11-10T10:10:00Z")) {
			t.Fatalf("start %+v", start)
		}
		sum := sha256.Sum256([]byte(start.State))
		if h.countRows("oauth_states", "state_hash = ?", hex.EncodeToString(sum[:])) != 1 {
			t.Fatal("state not stored as its hash")
		}
		code := g.consent(t, start.AuthorizationUrl)
		var in api.IntegrationResponse
		h.raw("GET", callbackPath(start.State, code), nil).expect(t, 200).decode(t, &in)
		if in.Status != "connected" || in.AccountEmail.MustGet() != "ada.lovelace@gmail.com" || !in.ConnectedAt.MustGet().Equal(at("2026-11-10T10:00:00Z")) ||
			strings.Join(in.Scopes, " ") != "openid https://www.googleapis.com/auth/calendar.events email" {
			t.Fatalf("connected %+v", in)
		}
		// The verifier sent matches the challenge of the consent URL (the fake checks it too).
		challenge, _ := url.Parse(start.AuthorizationUrl)
		var verifiers, issued []string
		g.with(func(g *fakeGoogle) { verifiers, issued = append(verifiers, g.verifier...), append(issued, g.issued...) })
		last := verifiers[len(verifiers)-1]
		if oauth2.S256ChallengeFromVerifier(last) != challenge.Query().Get("code_challenge") {
			t.Fatal("PKCE verifier does not match the challenge")
		}
		if l := h.integrations(u); len(l) != 1 || l[0].Status != "connected" {
			t.Fatalf("list %+v", l)
		}
		if l := h.integrations(other); l[0].Status != "not_connected" {
			t.Fatalf("another user sees %+v", l)
		}
		// Nothing readable at rest: not the tokens, the verifier or the state.
		secrets := append(issued, verifiers...)
		secrets = append(secrets, start.State)
		h.secretsInTable("integrations", secrets...)
		h.secretsInTable("oauth_states", secrets...)
		for _, s := range secrets {
			if strings.Contains(h.logs.String(), s) {
				t.Fatalf("secret %q in the logs", s)
			}
		}
		if h.countRows("integrations", "sealed_access LIKE ? AND sealed_refresh LIKE ? AND key_id <> ''", "v1.%", "v1.%") != 1 {
			t.Fatal("tokens not sealed")
		}

		// The state works once.
		oauthError(t, h.raw("GET", callbackPath(start.State, code), nil), 400, "oauth_state_used")
		oauthError(t, h.raw("GET", callbackPath(strings.Repeat("x", 43), "c"), nil), 400, "oauth_state_invalid")
		// Expired: refused before Google is asked.
		late := h.oauthStart(u)
		lateCode := g.consent(t, late.AuthorizationUrl)
		h.clock.Advance(10*time.Minute + time.Second)
		h.relogin(u)
		h.relogin(other)
		var before int
		g.with(func(g *fakeGoogle) { before = len(g.verifier) })
		oauthError(t, h.raw("GET", callbackPath(late.State, lateCode), nil), 400, "oauth_state_expired")
		g.with(func(g *fakeGoogle) {
			if len(g.verifier) != before {
				t.Fatal("an expired state reached the token endpoint")
			}
		})

		// Another user's state: a bearer token of someone else is refused, and burns the state.
		theirs := h.oauthStart(other)
		theirCode := g.consent(t, theirs.AuthorizationUrl)
		oauthError(t, h.raw("GET", callbackPath(theirs.State, theirCode), nil, u.auth()), 400, "oauth_state_mismatch")
		oauthError(t, h.raw("GET", callbackPath(theirs.State, theirCode), nil, other.auth()), 400, "oauth_state_used")
		if l := h.integrations(other); l[0].Status != "not_connected" {
			t.Fatalf("mismatched state connected: %+v", l)
		}
		// The owner forwarding its own state with its token gets JSON.
		mine := h.oauthStart(other)
		h.raw("GET", callbackPath(mine.State, g.consent(t, mine.AuthorizationUrl)), nil, other.auth()).expect(t, 200)
		if l := h.integrations(other); l[0].Status != "connected" {
			t.Fatalf("owner's forwarded callback: %+v", l)
		}

		// Declined, missing code, provider failures.
		s := h.oauthStart(u)
		oauthError(t, h.raw("GET", callbackPath(s.State, "")+"&error=access_denied", nil), 400, "oauth_denied")
		s = h.oauthStart(u)
		oauthError(t, h.raw("GET", callbackPath(s.State, ""), nil), 400, "oauth_code_missing")
		s = h.oauthStart(u)
		oauthError(t, h.raw("GET", callbackPath(s.State, "4/forged"), nil), 400, "oauth_code_rejected")
		for _, fail := range []struct {
			status int
			body   string
		}{{500, `{"error":"internal_failure"}`}, {429, `{"error":"rate_limit_exceeded"}`}, {401, `{"error":"invalid_client"}`}} {
			g.with(func(g *fakeGoogle) {
				g.failToken = &struct {
					status int
					body   string
				}{fail.status, fail.body}
			})
			s = h.oauthStart(u)
			h.serverFaultsExpected = true
			oauthError(t, h.raw("GET", callbackPath(s.State, g.consent(t, s.AuthorizationUrl)), nil), 502, "oauth_provider_error")
			h.serverFaultsExpected = false
		}
		g.with(func(g *fakeGoogle) { g.failToken = nil })
		if l := h.integrations(u); l[0].Status != "connected" || l[0].AccountEmail.MustGet() != "ada.lovelace@gmail.com" {
			t.Fatalf("failed attempts changed the integration: %+v", l)
		}

		// Reconnecting without a new refresh token keeps the stored one; disconnect revokes it.
		var firstRefresh string
		for _, tok := range issued {
			if strings.Contains(tok, "refresh") {
				firstRefresh = tok
			}
		}
		g.with(func(g *fakeGoogle) { g.noRefresh = true })
		s = h.oauthStart(u)
		h.raw("GET", callbackPath(s.State, g.consent(t, s.AuthorizationUrl)), nil).expect(t, 200)
		g.with(func(g *fakeGoogle) { g.noRefresh = false })
		h.raw("DELETE", "/api/integrations/google-calendar", nil, u.auth()).expect(t, 204)
		g.with(func(g *fakeGoogle) {
			if len(g.revoked) == 0 || g.revoked[len(g.revoked)-1] != firstRefresh {
				t.Fatalf("revoked %v, want the kept refresh token %s", g.revoked, firstRefresh)
			}
		})
		if l := h.integrations(u); l[0].Status != "not_connected" || h.countRows("integrations", "user_id = ?", u.ID) != 0 {
			t.Fatalf("after disconnect %+v", l)
		}
		oauthError(t, h.raw("DELETE", "/api/integrations/google-calendar", nil, u.auth()), 404, "not_found")

		// Revocation failing at Google still forgets the tokens, and says so in the log.
		g.with(func(g *fakeGoogle) { g.failRevoke = true })
		h.raw("DELETE", "/api/integrations/google-calendar", nil, other.auth()).expect(t, 204)
		g.with(func(g *fakeGoogle) { g.failRevoke = false })
		if h.countRows("integrations", "user_id = ?", other.ID) != 0 || !strings.Contains(h.logs.String(), "token revocation failed") {
			t.Fatal("failed revocation kept the integration or was not logged")
		}
	}, withGoogle(g))
}

// TestGoogleCalendarReconnectOtherAccount: a reconnect to another Google account that brings no
// refresh token keeps none: the first account's refresh token would mint tokens for the wrong
// calendar under the new account's name; that first grant, held by nobody now, is revoked at
// Google. Disconnecting then revokes the new access token.
func TestGoogleCalendarReconnectOtherAccount(t *testing.T) {
	g := newFakeGoogle(t)
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("gcal_switch")
		g.with(func(g *fakeGoogle) { g.email, g.noRefresh = "", false })
		s := h.oauthStart(u)
		h.raw("GET", callbackPath(s.State, g.consent(t, s.AuthorizationUrl)), nil).expect(t, 200)
		var firstRefresh string
		g.with(func(g *fakeGoogle) { firstRefresh = g.issued[len(g.issued)-1] })

		g.with(func(g *fakeGoogle) { g.email, g.noRefresh = "grace.hopper@gmail.com", true })
		defer g.with(func(g *fakeGoogle) { g.email, g.noRefresh = "", false })
		s = h.oauthStart(u)
		var in api.IntegrationResponse
		h.raw("GET", callbackPath(s.State, g.consent(t, s.AuthorizationUrl)), nil).expect(t, 200).decode(t, &in)
		if in.AccountEmail.MustGet() != "grace.hopper@gmail.com" {
			t.Fatalf("reconnected %+v", in)
		}
		if n := h.countRows("integrations", "user_id = ? AND sealed_refresh IS NOT NULL", u.ID); n != 0 {
			t.Fatal("the first account's refresh token was kept for the second account")
		}
		g.with(func(g *fakeGoogle) {
			if !slices.Contains(g.revoked, firstRefresh) {
				t.Fatalf("the replaced account's refresh token %s was not revoked: revoked %v", firstRefresh, g.revoked)
			}
		})
		var access string
		g.with(func(g *fakeGoogle) { access = g.issued[len(g.issued)-1] })
		h.raw("DELETE", "/api/integrations/google-calendar", nil, u.auth()).expect(t, 204)
		g.with(func(g *fakeGoogle) {
			if got := g.revoked[len(g.revoked)-1]; got != access {
				t.Fatalf("revoked %s, want the second account's access token %s", got, access)
			}
		})
	}, withGoogle(g))
}

// TestGoogleCalendarPendingStatesBounded: starting flow after flow keeps at most
// store.MaxPendingOAuthStates pending per user: the oldest expire (their callbacks are told so,
// Google is not called), the newest still connect, and other users' flows are untouched.
func TestGoogleCalendarPendingStatesBounded(t *testing.T) {
	g := newFakeGoogle(t)
	eachDB(t, func(t *testing.T, h *harness) {
		u, other := h.newUser("gcal_many"), h.newUser("gcal_other")
		theirs := h.oauthStart(other)
		var states []api.OAuthStartResponse
		for i := 0; i < store.MaxPendingOAuthStates+3; i++ {
			h.clock.Advance(time.Second)
			states = append(states, h.oauthStart(u))
		}
		pending := h.countRows("oauth_states", "user_id = ? AND used_at IS NULL AND expires_at > ?", u.ID, h.clock.Now())
		if pending != store.MaxPendingOAuthStates {
			t.Fatalf("%d pending states, want %d", pending, store.MaxPendingOAuthStates)
		}
		var calls int
		g.with(func(g *fakeGoogle) { calls = len(g.verifier) })
		oauthError(t, h.raw("GET", callbackPath(states[0].State, "any-code"), nil), 400, "oauth_state_expired")
		g.with(func(g *fakeGoogle) {
			if len(g.verifier) != calls {
				t.Fatal("an expired state reached Google")
			}
		})
		last := states[len(states)-1]
		h.raw("GET", callbackPath(last.State, g.consent(t, last.AuthorizationUrl)), nil, u.auth()).expect(t, 200)
		h.raw("GET", callbackPath(theirs.State, g.consent(t, theirs.AuthorizationUrl)), nil, other.auth()).expect(t, 200)
	}, withGoogle(g))
}

// TestGoogleCalendarScopeDenied: Google's consent page lets the user untick the calendar; a
// token without it connects nothing (400 oauth_scope_denied) and is revoked at once.
func TestGoogleCalendarScopeDenied(t *testing.T) {
	g := newFakeGoogle(t)
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("gcal_scope")
		g.with(func(g *fakeGoogle) { g.scope = "openid email" })
		defer g.with(func(g *fakeGoogle) { g.scope = "" })
		s := h.oauthStart(u)
		oauthError(t, h.raw("GET", callbackPath(s.State, g.consent(t, s.AuthorizationUrl)), nil), 400, "oauth_scope_denied")
		if l := h.integrations(u); l[0].Status != "not_connected" || h.countRows("integrations", "user_id = ?", u.ID) != 0 {
			t.Fatalf("connected without calendar access: %+v", l)
		}
		g.with(func(g *fakeGoogle) {
			if last := g.issued[len(g.issued)-1]; len(g.revoked) == 0 || g.revoked[len(g.revoked)-1] != last {
				t.Fatalf("the token without calendar access was not revoked: revoked %v", g.revoked)
			}
		})
	}, withGoogle(g))
}

// TestGoogleCalendarRedirect: with an app URL, a browser arriving without credentials goes back
// to the app with the outcome in the query (its own query kept); an app forwarding the callback
// with a bearer token gets JSON.
func TestGoogleCalendarRedirect(t *testing.T) {
	g := newFakeGoogle(t)
	app := "https://app.xentree.test/settings?tab=integrations"
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("gcal_app")
		s := h.oauthStart(u)
		code := g.consent(t, s.AuthorizationUrl)
		r := h.raw("GET", callbackPath(s.State, code), nil).expect(t, 302)
		if loc := r.Header.Get("Location"); loc != app+"&integration=google_calendar&status=connected" {
			t.Fatalf("Location %s", loc)
		}
		r = h.raw("GET", callbackPath(s.State, code), nil).expect(t, 302)
		if loc := r.Header.Get("Location"); loc != app+"&error=oauth_state_used&integration=google_calendar&status=error" {
			t.Fatalf("Location %s", loc)
		}
		s = h.oauthStart(u)
		h.raw("GET", callbackPath(s.State, g.consent(t, s.AuthorizationUrl)), nil, u.auth()).expect(t, 200)
	}, withGoogle(g), func(c *server.Config) { c.AppURL = app })
}

// TestGoogleCalendarNotConfigured: without client credentials the flow answers 503 naming the
// missing settings; listing still works.
func TestGoogleCalendarNotConfigured(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("gcal_none")
		d := h.raw("GET", "/api/integrations/google-calendar/oauth/start", nil, u.auth()).expect(t, 503).errorBody(t)
		for _, want := range []string{"XENTREE_GOOGLE_CLIENT_ID", "XENTREE_GOOGLE_CLIENT_SECRET", "XENTREE_GOOGLE_REDIRECT_URL"} {
			if d.Error != "not_configured" || !strings.Contains(d.Message, want) {
				t.Fatalf("503 body %+v does not name %s", d, want)
			}
		}
		h.raw("GET", callbackPath(strings.Repeat("s", 43), "c"), nil).expect(t, 503)
		if l := h.integrations(u); len(l) != 1 || l[0].Status != "not_connected" {
			t.Fatalf("list %+v", l)
		}
		h.raw("DELETE", "/api/integrations/google-calendar", nil, u.auth()).expect(t, 404)

		// Keys with the integration scopes reach the routes.
		org := h.createOrg(u, "Integrations Org").Id.String()
		read, _ := h.newKey(u, org, []string{"integrations:read"})
		write, _ := h.newKey(u, org, []string{"integrations:write"})
		h.raw("GET", "/api/integrations", nil, apiKey(read)).expect(t, 200)
		h.raw("GET", "/api/integrations/google-calendar/oauth/start", nil, apiKey(write)).expect(t, 503)
		h.raw("GET", "/api/integrations/google-calendar/oauth/start", nil, apiKey(read)).expect(t, 403)
	})
}

// TestIntegrationSettingsChecked: half a Google configuration, Google without an encryption
// key, a bad key or a relative URL refuse to start.
func TestIntegrationSettingsChecked(t *testing.T) {
	h := newHarness(t, "sqlite")
	full := func(c *server.Config) {
		c.Google = googleoauth.Config{ClientID: "id", ClientSecret: "secret", RedirectURL: "https://api.example/cb"}
		c.EncryptionKey = testEncryptionKey
	}
	for name, change := range map[string]func(*server.Config){
		"no secret":          func(c *server.Config) { c.Google.ClientSecret = "" },
		"no redirect":        func(c *server.Config) { c.Google.RedirectURL = "" },
		"no key":             func(c *server.Config) { c.EncryptionKey = nil },
		"short key":          func(c *server.Config) { c.EncryptionKey = testEncryptionKey[:16] },
		"relative redirect":  func(c *server.Config) { c.Google.RedirectURL = "/cb" },
		"app URL not http":   func(c *server.Config) { c.AppURL = "javascript:alert(1)" },
		"token URL not http": func(c *server.Config) { c.Google.TokenURL = "ftp://x/token" },
		"live idle too short": func(c *server.Config) {
			c.LiveIdleTimeout = 10 * time.Second
			c.LiveHeartbeatInterval = 30 * time.Second
		},
		"live unknown plan": func(c *server.Config) { c.LiveQuotas = map[string]time.Duration{"gold": time.Hour} },
		"live fractional":   func(c *server.Config) { c.LiveQuotas = map[string]time.Duration{"pro": 1500 * time.Millisecond} },
	} {
		cfg := server.Config{JWTSecret: testSecret}
		full(&cfg)
		change(&cfg)
		if _, err := server.New(cfg, h.store, h.log); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	cfg := server.Config{JWTSecret: testSecret}
	full(&cfg)
	if _, err := server.New(cfg, h.store, h.log); err != nil {
		t.Fatalf("full configuration refused: %v", err)
	}
	if _, err := server.New(server.Config{JWTSecret: testSecret}, h.store, h.log); err != nil {
		t.Fatalf("no Google at all refused: %v", err)
	}
}
