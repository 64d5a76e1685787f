package server_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/server"
	"github.com/xentree/xentree-api/store"
)

func TestRegister(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.raw("POST", "/api/auth/register", map[string]any{"username": "Ada_L", "email": "Ada@Example.com", "password": "correct-horse", "timezone": "Europe/Berlin"}).expect(t, 201)
		cases := []struct {
			name string
			body map[string]any
			want int
			code string
		}{
			{"username taken in another case", map[string]any{"username": "ada_l", "email": "x1@example.com", "password": "correct-horse"}, 409, "user_exists"},
			{"email taken in another case", map[string]any{"username": "other1", "email": "ADA@example.com", "password": "correct-horse"}, 409, "user_exists"},
			{"unknown timezone", map[string]any{"username": "other2", "email": "x2@example.com", "password": "correct-horse", "timezone": "Mars/Olympus"}, 422, "invalid_timezone"},
			{"Local is not IANA", map[string]any{"username": "other3", "email": "x3@example.com", "password": "correct-horse", "timezone": "Local"}, 422, "invalid_timezone"},
			{"short password", map[string]any{"username": "other4", "email": "x4@example.com", "password": "short"}, 400, "validation_error"},
			{"bad email", map[string]any{"username": "other5", "email": "not-an-email", "password": "correct-horse"}, 400, "validation_error"},
			{"extra field role", map[string]any{"username": "other6", "email": "x6@example.com", "password": "correct-horse", "role": "super_admin"}, 400, "validation_error"},
			{"bad username", map[string]any{"username": "a b", "email": "x7@example.com", "password": "correct-horse"}, 400, "validation_error"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := h.raw("POST", "/api/auth/register", c.body).expect(t, c.want)
				if got := r.errorBody(t).Error; got != c.code {
					t.Fatalf("error %q, want %q", got, c.code)
				}
			})
		}
		// Nothing half-written: only the first account exists.
		var n int64
		h.store.DB(context.Background()).Model(&store.User{}).Count(&n)
		if n != 1 {
			t.Fatalf("%d users, want 1", n)
		}
		// Login works with either the username or the email, in any case.
		h.login("ADA_L", "correct-horse")
		h.login("ada@example.COM", "correct-horse")
	})
}

func TestMeAndUpdate(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("me")
		other := h.newUser("other")
		var p api.UserProfile
		h.raw("GET", "/api/auth/me", nil, u.auth()).expect(t, 200).decode(t, &p)
		if p.Username != u.Username || p.Role != api.PlatformRoleUser || p.Plan != api.Free || p.Timezone != "UTC" {
			t.Fatalf("profile %+v", p)
		}
		// Partial update changes only what is sent.
		h.raw("PATCH", "/api/auth/me", map[string]any{"timezone": "America/New_York", "public_profile": true}, u.auth()).expect(t, 200).decode(t, &p)
		if p.Timezone != "America/New_York" || !p.PublicProfile || p.FullName.MustGet() != "Test me" {
			t.Fatalf("after patch %+v", p)
		}
		h.raw("PATCH", "/api/auth/me", map[string]any{"full_name": nil}, u.auth()).expect(t, 200).decode(t, &p)
		if !p.FullName.IsNull() || p.Timezone != "America/New_York" {
			t.Fatalf("full_name not cleared: %+v", p)
		}
		cases := []struct {
			name string
			body map[string]any
			want int
			code string
		}{
			{"email of another user", map[string]any{"email": strings.ToUpper(other.Email), "current_password": u.Password}, 409, "email_taken"},
			{"bad timezone", map[string]any{"timezone": "Nowhere/Land"}, 422, "invalid_timezone"},
			{"password without current", map[string]any{"password": "new-password-1"}, 422, "current_password_required"},
			{"wrong current password", map[string]any{"password": "new-password-1", "current_password": "nope"}, 403, "invalid_current_password"},
			{"role is not writable", map[string]any{"role": "super_admin"}, 400, "validation_error"},
			{"id is not writable", map[string]any{"id": other.ID}, 400, "validation_error"},
			{"empty body", map[string]any{}, 400, "validation_error"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := h.raw("PATCH", "/api/auth/me", c.body, u.auth()).expect(t, c.want)
				if got := r.errorBody(t).Error; got != c.code {
					t.Fatalf("error %q, want %q", got, c.code)
				}
			})
		}
		h.raw("GET", "/api/auth/me", nil, u.auth()).expect(t, 200).decode(t, &p)
		if p.Role != api.PlatformRoleUser || string(p.Email) != u.Email {
			t.Fatalf("failed updates were applied: %+v", p)
		}
	})
}

func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("pw")
		second := h.login(u.Username, u.Password)
		h.raw("PATCH", "/api/auth/me", map[string]any{"password": "brand-new-pass", "current_password": u.Password}, u.auth()).expect(t, 200)
		h.raw("GET", "/api/auth/me", nil, u.auth()).expect(t, 200)
		h.raw("GET", "/api/auth/me", nil, bearer(second.AccessToken)).expect(t, 401)
		h.raw("POST", "/api/auth/refresh", map[string]any{"refresh_token": second.RefreshToken}).expect(t, 401)
		h.raw("POST", "/api/auth/login", url.Values{"username": {u.Username}, "password": {u.Password}}).expect(t, 401)
		h.login(u.Username, "brand-new-pass")
	})
}

func TestLogout(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("bye")
		h.raw("POST", "/api/auth/logout", nil, u.auth()).expect(t, 204)
		h.raw("GET", "/api/auth/me", nil, u.auth()).expect(t, 401)
		h.raw("POST", "/api/auth/refresh", map[string]any{"refresh_token": u.Refresh}).expect(t, 401)
		h.raw("POST", "/api/auth/logout", nil, u.auth()).expect(t, 401)
	})
}

// TestLoginEnumeration: an unknown user, a wrong password and a disabled account are
// indistinguishable.
func TestLoginEnumeration(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("enum")
		disabled := h.newUser("disabled")
		h.store.DB(context.Background()).Model(&store.User{}).Where("id = ?", disabled.ID).Update("disabled_at", h.store.Now())
		unknown := h.raw("POST", "/api/auth/login", url.Values{"username": {"nobody_here"}, "password": {"whatever-pass"}})
		wrong := h.raw("POST", "/api/auth/login", url.Values{"username": {u.Username}, "password": {"whatever-pass"}})
		dis := h.raw("POST", "/api/auth/login", url.Values{"username": {disabled.Username}, "password": {disabled.Password}})
		for _, r := range []resp{wrong, dis} {
			if r.Status != unknown.Status || string(r.Body) != string(unknown.Body) {
				t.Fatalf("distinguishable: %d %s vs %d %s", r.Status, r.Body, unknown.Status, unknown.Body)
			}
		}
		if unknown.Status != 401 {
			t.Fatalf("status %d", unknown.Status)
		}
	})
}

func TestLoginThrottle(t *testing.T) {
	limits := func(c *server.Config) { c.LoginAccountLimit, c.LoginIPLimit = 3, 7 } // newUser logs in once too
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("thr")
		try := func(name, pw string, hd ...header) resp {
			return h.raw("POST", "/api/auth/login", url.Values{"username": {name}, "password": {pw}}, hd...)
		}
		for i := 0; i < 3; i++ {
			try(u.Username, "wrong-password").expect(t, 401)
		}
		// The account's bucket is full: even the right password gets the wrong-password answer
		// (TestAccountBucketRevealsNothing says why).
		try(u.Username, u.Password).expect(t, 401)
		// Per IP: other accounts from the same address are throttled too, and a spoofed
		// X-Forwarded-For does not make a new client.
		try("ghost1", "x").expect(t, 401)
		try("ghost2", "x").expect(t, 401)
		r := try("ghost3", "x", header{"X-Forwarded-For", "203.0.113.9"}).expect(t, 429)
		if r.Header.Get("Retry-After") == "" || r.errorBody(t).Error != "too_many_attempts" {
			t.Fatalf("429 without Retry-After or code: %v %s", r.Header, r.Body)
		}
		h.remoteAddr = "198.51.100.7:5555"
		try("ghost4", "x").expect(t, 401)
	}, limits)
}

func TestTrustedProxyClientIP(t *testing.T) {
	opts := func(c *server.Config) {
		c.LoginAccountLimit, c.LoginIPLimit = 100, 2
		c.TrustedProxies = []string{"10.0.0.0/8"}
	}
	eachDB(t, func(t *testing.T, h *harness) {
		h.remoteAddr = "10.1.2.3:443"
		try := func(xff string) resp {
			return h.raw("POST", "/api/auth/login", url.Values{"username": {"ghost"}, "password": {"x"}}, header{"X-Forwarded-For", xff})
		}
		try("203.0.113.1").expect(t, 401)
		try("203.0.113.1").expect(t, 401)
		try("203.0.113.1").expect(t, 429)
		try("203.0.113.2").expect(t, 401) // a different client behind the trusted proxy
	}, opts)
}

// TestRefreshRotation: R0→R1→R2→R3, then replaying R0 revokes the whole session.
func TestRefreshRotation(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("rot")
		chain := []api.TokenResponse{{AccessToken: u.Access, RefreshToken: u.Refresh}}
		for i := 0; i < 3; i++ {
			var next api.TokenResponse
			h.raw("POST", "/api/auth/refresh", map[string]any{"refresh_token": chain[i].RefreshToken}).expect(t, 200).decode(t, &next)
			if next.TokenType != api.Bearer || next.ExpiresIn != 900 || next.RefreshToken == chain[i].RefreshToken {
				t.Fatalf("bad rotation %+v", next)
			}
			chain = append(chain, next)
		}
		r3 := chain[3]
		h.raw("GET", "/api/auth/me", nil, bearer(r3.AccessToken)).expect(t, 200)
		r := h.raw("POST", "/api/auth/refresh", map[string]any{"refresh_token": chain[0].RefreshToken}).expect(t, 401)
		if r.errorBody(t).Error != "refresh_token_reused" {
			t.Fatalf("replay: %s", r.Body)
		}
		h.raw("POST", "/api/auth/refresh", map[string]any{"refresh_token": r3.RefreshToken}).expect(t, 401)
		h.raw("GET", "/api/auth/me", nil, bearer(r3.AccessToken)).expect(t, 401)
		// Other sessions of the user are untouched.
		h.raw("GET", "/api/auth/me", nil, bearer(h.login(u.Username, u.Password).AccessToken)).expect(t, 200)
		// Garbage is simply invalid.
		r = h.raw("POST", "/api/auth/refresh", map[string]any{"refresh_token": "not-a-token"}).expect(t, 401)
		if r.errorBody(t).Error != "invalid_refresh_token" {
			t.Fatalf("garbage: %s", r.Body)
		}
	})
}

// TestConcurrentRefresh: 20 simultaneous refreshes of one token. Documented outcome: exactly
// one succeeds; the others get 401 refresh_token_superseded without revoking the session,
// and exactly one live refresh token (the winner's) remains.
func TestConcurrentRefresh(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("race")
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			winners []api.TokenResponse
			codes   = map[string]int{}
		)
		start := make(chan struct{})
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				r := h.raw("POST", "/api/auth/refresh", map[string]any{"refresh_token": u.Refresh})
				mu.Lock()
				defer mu.Unlock()
				if r.Status == 200 {
					var tok api.TokenResponse
					r.decode(t, &tok)
					winners = append(winners, tok)
					return
				}
				codes[r.errorBody(t).Error]++
			}()
		}
		close(start)
		wg.Wait()
		if len(winners) != 1 || codes["refresh_token_superseded"] != 19 {
			t.Fatalf("winners %d, refusals %v", len(winners), codes)
		}
		sid := sessionOf(t, winners[0].AccessToken)
		live, err := h.store.LiveRefreshTokens(context.Background(), sid)
		if err != nil || live != 1 {
			t.Fatalf("live heads %d (%v), want 1", live, err)
		}
		h.raw("GET", "/api/auth/me", nil, bearer(winners[0].AccessToken)).expect(t, 200)
		h.raw("POST", "/api/auth/refresh", map[string]any{"refresh_token": winners[0].RefreshToken}).expect(t, 200)
	})
}

func sessionOf(t *testing.T, access string) string {
	t.Helper()
	var c jwt.MapClaims
	if _, _, err := jwt.NewParser().ParseUnverified(access, &c); err != nil {
		t.Fatal(err)
	}
	return c["sid"].(string)
}

// TestJWTNegative: every forged, stale or malformed credential is a 401, never a 5xx.
func TestJWTNegative(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("jwt")
		sid := sessionOf(t, u.Access)
		sum := sha256.Sum256([]byte(testSecret))
		kid := hex.EncodeToString(sum[:6])
		now := time.Now()
		good := func() jwt.MapClaims {
			return jwt.MapClaims{"iss": "xentree", "aud": []string{"xentree-api"}, "sub": u.ID, "sid": sid,
				"typ": "access", "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(10 * time.Minute).Unix()}
		}
		sign := func(method jwt.SigningMethod, key any, claims jwt.MapClaims, kid string) string {
			tok := jwt.NewWithClaims(method, claims)
			if kid != "" {
				tok.Header["kid"] = kid
			}
			s, err := tok.SignedString(key)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		with := func(k string, v any) jwt.MapClaims {
			c := good()
			if v == nil {
				delete(c, k)
			} else {
				c[k] = v
			}
			return c
		}
		secret := []byte(testSecret)
		rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		// Sanity: the forging helper makes an accepted token when nothing is wrong.
		h.raw("GET", "/api/auth/me", nil, bearer(sign(jwt.SigningMethodHS256, secret, good(), kid))).expect(t, 200)

		deleted := h.newUser("deleted")
		loggedOut := h.login(u.Username, u.Password)
		h.raw("POST", "/api/auth/logout", nil, bearer(loggedOut.AccessToken)).expect(t, 204)
		if err := h.store.DeleteUser(context.Background(), deleted.ID); err != nil {
			t.Fatal(err)
		}
		tampered := u.Access[:len(u.Access)-2] + map[bool]string{true: "AA", false: "BB"}[!strings.HasSuffix(u.Access, "AA")]

		cases := map[string]string{
			"alg none":                  sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, good(), kid),
			"RS256 instead of HS256":    sign(jwt.SigningMethodRS256, rsaKey, good(), kid),
			"HS512 with the right key":  sign(jwt.SigningMethodHS512, secret, good(), kid),
			"tampered signature":        tampered,
			"expired":                   sign(jwt.SigningMethodHS256, secret, with("exp", now.Add(-time.Hour).Unix()), kid),
			"missing exp":               sign(jwt.SigningMethodHS256, secret, with("exp", nil), kid),
			"future nbf":                sign(jwt.SigningMethodHS256, secret, with("nbf", now.Add(time.Hour).Unix()), kid),
			"wrong iss":                 sign(jwt.SigningMethodHS256, secret, with("iss", "evil"), kid),
			"wrong aud":                 sign(jwt.SigningMethodHS256, secret, with("aud", []string{"other"}), kid),
			"unknown kid":               sign(jwt.SigningMethodHS256, secret, good(), "deadbeef0000"),
			"no kid":                    sign(jwt.SigningMethodHS256, secret, good(), ""),
			"other secret":              sign(jwt.SigningMethodHS256, []byte("another-secret-0123456789-abcdefghij"), good(), kid),
			"not an access token (typ)": sign(jwt.SigningMethodHS256, secret, with("typ", "refresh"), kid),
			"unknown session":           sign(jwt.SigningMethodHS256, secret, with("sid", store.NewID()), kid),
			"refresh token as access":   u.Refresh,
			"logged-out session":        loggedOut.AccessToken,
			"deleted user":              deleted.Access,
			"garbage":                   "abc.def.ghi",
		}
		for name, tok := range cases {
			t.Run(name, func(t *testing.T) {
				r := h.raw("GET", "/api/auth/me", nil, bearer(tok)).expect(t, 401)
				r.errorBody(t)
			})
		}
		headers := map[string]string{
			"empty":              "",
			"scheme only":        "Bearer",
			"no scheme":          u.Access,
			"two spaces":         "Bearer  " + u.Access,
			"lowercase bearer":   "bearer " + u.Access,
			"basic":              "Basic dXNlcjpwYXNz",
			"trailing garbage":   "Bearer " + u.Access + " extra",
			"two tokens (comma)": "Bearer " + u.Access + ",Bearer " + u.Access,
		}
		for name, v := range headers {
			t.Run("header "+name, func(t *testing.T) {
				h.raw("GET", "/api/auth/me", nil, header{"Authorization", v}).expect(t, 401).errorBody(t)
			})
		}
		h.raw("GET", "/api/auth/me", nil).expect(t, 401)
	})
}

// TestKeyRotation: tokens signed with a previous secret verify until they expire.
func TestKeyRotation(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("rotk")
		const next = "the-new-secret-0123456789-abcdefghijklmn"
		h.restart(func(c *server.Config) { c.JWTSecret, c.JWTPreviousSecrets = next, []string{testSecret} })
		h.raw("GET", "/api/auth/me", nil, u.auth()).expect(t, 200)
		fresh := h.login(u.Username, u.Password)
		h.raw("GET", "/api/auth/me", nil, bearer(fresh.AccessToken)).expect(t, 200)
		// Once the previous secret is retired, its tokens stop verifying; new ones still do.
		h.restart(func(c *server.Config) { c.JWTSecret = next })
		h.raw("GET", "/api/auth/me", nil, u.auth()).expect(t, 401)
		h.raw("GET", "/api/auth/me", nil, bearer(fresh.AccessToken)).expect(t, 200)
	})
}

func TestOWASPPasswordParams(t *testing.T) {
	p := server.OWASPArgon
	if p.Memory < 19*1024 || p.Time < 2 || p.Threads != 1 {
		t.Fatalf("argon2id parameters below OWASP minimum: %+v", p)
	}
	eachDB(t, func(t *testing.T, h *harness) {
		h.raw("POST", "/api/auth/register", map[string]any{"username": "owasp", "email": "o@example.com", "password": "correct-horse"}).expect(t, 201)
		u, err := h.store.UserByUsername(context.Background(), "owasp")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(u.PasswordHash, "$argon2id$v=19$m=19456,t=2,p=1$") {
			t.Fatalf("stored hash %q is not an OWASP argon2id PHC string", u.PasswordHash)
		}
		h.login("owasp", "correct-horse")
	}, func(c *server.Config) { c.PasswordParams = nil })
}

// TestLoginHardening: invalid text never reaches the database, an account has one bucket
// whatever name it is logged in with, a blocked IP adds no rows, and pruning clears closed
// windows.
func TestLoginHardening(t *testing.T) {
	limits := func(c *server.Config) { c.LoginAccountLimit, c.LoginIPLimit = 3, 5 }
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("hard")
		form := func(name, pw string) string {
			return url.Values{"username": {name}, "password": {pw}}.Encode()
		}
		ct := header{"Content-Type", "application/x-www-form-urlencoded"}
		h.raw("POST", "/api/auth/login", "username=a%ffb&password=x", ct).expect(t, 400)
		// A non-UTF-8 user agent is stored cleaned, not refused.
		h.raw("POST", "/api/auth/login", form(u.Username, u.Password), ct, header{"User-Agent", "Mozilla \xff" + strings.Repeat("é", 200)}).expect(t, 200)
		// Username and email share the account's bucket.
		h.raw("POST", "/api/auth/login", form(u.Username, "bad-password"), ct).expect(t, 401)
		h.raw("POST", "/api/auth/login", form(u.Email, "bad-password"), ct).expect(t, 401)
		h.raw("POST", "/api/auth/login", form(strings.ToUpper(u.Username), "bad-password"), ct).expect(t, 401)
		h.raw("POST", "/api/auth/login", form(u.Email, u.Password), ct).expect(t, 429)
		// Once the IP is blocked, further names add no buckets.
		h.raw("POST", "/api/auth/login", form("ghost_a", "x"), ct).expect(t, 429)
		var before, after int64
		db := h.store.DB(context.Background())
		db.Model(&store.RateLimit{}).Count(&before)
		for i := 0; i < 5; i++ {
			h.raw("POST", "/api/auth/login", form(fmt.Sprintf("ghost_%d", i), "x"), ct).expect(t, 429)
		}
		db.Model(&store.RateLimit{}).Count(&after)
		if after != before {
			t.Fatalf("blocked IP grew rate_limits from %d to %d rows", before, after)
		}
		db.Model(&store.RateLimit{}).Where("1 = 1").Update("window_start", h.store.Now().Add(-3*time.Hour))
		server.NewMaintenance(server.Config{}, h.store, h.log).RunDue(context.Background())
		db.Model(&store.RateLimit{}).Count(&after)
		if after != 0 {
			t.Fatalf("%d closed buckets left after pruning", after)
		}
	}, limits)
}

// TestPasswordGuessThrottle: current_password guesses through PATCH /me are limited too.
func TestPasswordGuessThrottle(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("guess")
		for i := 0; i < 3; i++ {
			h.raw("PATCH", "/api/auth/me", map[string]any{"password": "new-password-1", "current_password": "guess"}, u.auth()).expect(t, 403)
		}
		h.raw("PATCH", "/api/auth/me", map[string]any{"password": "new-password-1", "current_password": u.Password}, u.auth()).expect(t, 429)
	}, func(c *server.Config) { c.LoginAccountLimit = 3 })
}

// TestRefreshDisabledUser: a disabled account cannot mint tokens from an old refresh token.
func TestRefreshDisabledUser(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("dis")
		h.store.DB(context.Background()).Model(&store.User{}).Where("id = ?", u.ID).Update("disabled_at", h.store.Now())
		h.raw("POST", "/api/auth/refresh", map[string]any{"refresh_token": u.Refresh}).expect(t, 401)
	})
}

// TestDatabaseDownIsNotUnauthenticated: when credentials cannot be checked the answer is a
// logged 500, not a 401 that would make clients discard valid tokens.
func TestDatabaseDownIsNotUnauthenticated(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("down")
		db, err := h.store.DB(context.Background()).DB()
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		h.serverFaultsExpected = true
		if d := h.raw("GET", "/api/auth/me", nil, u.auth()).expect(t, 500).errorBody(t); d.Error != "internal_error" {
			t.Fatalf("code %s", d.Error)
		}
		if !strings.Contains(h.logs.String(), `"request failed"`) {
			t.Fatal("the failure was not logged")
		}
		// The process is alive but not ready.
		h.raw("GET", "/healthz", nil).expect(t, 200)
		if h.raw("GET", "/readyz", nil).expect(t, 503).errorBody(t).Error != "not_ready" {
			t.Fatal("readyz code")
		}
	})
}

// TestSessionRefusedAfterPasswordChange: a login that verified the old password cannot open a
// session once the password has changed (the race a password change must win).
func TestSessionRefusedAfterPasswordChange(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("race_pw")
		ctx := context.Background()
		old, err := h.store.UserByID(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		h.raw("PATCH", "/api/auth/me", map[string]any{"password": "another-pass-1", "current_password": u.Password}, u.auth()).expect(t, 200)
		sess := &store.Session{UserID: u.ID, ExpiresAt: h.store.Now().Add(time.Hour)}
		if err := h.store.CreateSession(ctx, sess, "hash-"+store.NewID(), old.PasswordHash); err != store.ErrCredentialsChanged {
			t.Fatalf("stale verification opened a session: %v", err)
		}
	})
}

func TestRegisterThrottle(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		reg := func(i int) resp {
			return h.raw("POST", "/api/auth/register", map[string]any{
				"username": fmt.Sprintf("many_%d", i), "email": fmt.Sprintf("many_%d@example.com", i), "password": "correct-horse"})
		}
		reg(1).expect(t, 201)
		reg(2).expect(t, 201)
		if r := reg(3).expect(t, 429); r.Header.Get("Retry-After") == "" {
			t.Fatal("no Retry-After")
		}
		h.remoteAddr = "198.51.100.99:1"
		reg(4).expect(t, 201)
	}, func(c *server.Config) { c.RegisterIPLimit = 2 })
}

// TestVerifiedTokenRechecked: a token already verified (and so cached) is still refused when
// the clock leaves its validity (before its nbf/iat, after its exp) and after logout.
func TestVerifiedTokenRechecked(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("recheck")
		h.raw("GET", "/api/auth/me", nil, u.auth()).expect(t, 200)
		h.clock.Advance(-time.Hour)
		h.raw("GET", "/api/auth/me", nil, u.auth()).expect(t, 401)
		h.clock.Advance(time.Hour)
		h.raw("GET", "/api/auth/me", nil, u.auth()).expect(t, 200)
		h.raw("POST", "/api/auth/logout", nil, u.auth()).expect(t, 204)
		h.raw("GET", "/api/auth/me", nil, u.auth()).expect(t, 401)
	})
}

// TestOneClock: tokens, sessions and handlers read the one clock the harness controls, so a
// test can move time: an access token expires 15 minutes later by that clock, refresh still works.
func TestOneClock(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("clock")
		h.raw("GET", "/api/auth/me", nil, u.auth()).expect(t, 200)
		h.clock.Advance(16 * time.Minute)
		h.raw("GET", "/api/auth/me", nil, u.auth()).expect(t, 401)
		var tok api.TokenResponse
		h.raw("POST", "/api/auth/refresh", map[string]any{"refresh_token": u.Refresh}).expect(t, 200).decode(t, &tok)
		h.raw("GET", "/api/auth/me", nil, bearer(tok.AccessToken)).expect(t, 200)
		h.clock.Advance(31 * 24 * time.Hour) // past the session's absolute lifetime
		h.raw("POST", "/api/auth/refresh", map[string]any{"refresh_token": tok.RefreshToken}).expect(t, 401)
	})
}
