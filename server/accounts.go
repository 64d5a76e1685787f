package server

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/netip"
	"strings"
	"time"
	_ "time/tzdata" // IANA names resolve on machines without a zoneinfo database

	openapi_types "github.com/oapi-codegen/runtime/types"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/internal/clientip"
	"github.com/xentree/xentree-api/store"
)

// AccountsAPI implements registration, login, token refresh and logout, and the current user.
type AccountsAPI struct{ *deps }

var errBadCredentials = newError(http.StatusUnauthorized, "invalid_credentials", "Incorrect username or password")

// Register creates an account.
func (a *AccountsAPI) Register(ctx context.Context, req api.RegisterRequestObject) (api.RegisterResponseObject, error) {
	b := req.Body
	tz := "UTC"
	if b.Timezone != nil {
		if err := checkTimezone(*b.Timezone); err != nil {
			return nil, err
		}
		tz = *b.Timezone
	}
	fullName, err := cleanOptionalName(emptyToNil(b.FullName))
	if err != nil {
		return nil, err
	}
	if err := a.throttleClient(ctx, "register", a.cfg.RegisterIPLimit, time.Hour); err != nil {
		return nil, err
	}
	hash, err := a.hasher.Hash(ctx, b.Password)
	if err != nil {
		return nil, err
	}
	u := &store.User{
		Username: b.Username, Email: string(b.Email), PasswordHash: hash,
		FullName: fullName, Timezone: tz,
	}
	if err := a.store.CreateUser(ctx, u); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, newError(http.StatusConflict, "user_exists", "Username or email is already taken")
		}
		return nil, err
	}
	return api.Register201JSONResponse(userProfile(u)), nil
}

// Login exchanges credentials for tokens. Attempts are counted per client IP and per account
// before the password is checked, so a burst cannot outrun the limit; success clears the
// account's count. A known account is counted by id (username and email share one bucket).
//
// Past the per-IP limit the answer is 429. Past the account's limit it is the wrong-password
// 401, after the same hash, whatever the password: the caller has not proven the identifier,
// so a 429 would tell it that this email and that username share a bucket (one account).
func (a *AccountsAPI) Login(ctx context.Context, req api.LoginRequestObject) (api.LoginResponseObject, error) {
	b := req.Body
	if err := a.throttleClient(ctx, "login", a.cfg.LoginIPLimit, a.cfg.LoginWindow); err != nil {
		return nil, err
	}
	u, err := a.store.UserByLogin(ctx, b.Username)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	acct, phc := "login:name:"+strings.ToLower(b.Username), ""
	if err == nil {
		acct, phc = "login:user:"+u.ID, u.PasswordHash
	}
	allowed, _, herr := a.hit(ctx, acct, a.cfg.LoginAccountLimit, a.cfg.LoginWindow)
	if herr != nil {
		return nil, herr
	}
	if !allowed {
		phc = "" // checked against the dummy hash: the cost of any miss, and never a match
	}
	// An unknown user still costs one hash, so timing does not reveal which usernames exist.
	ok, verr := a.hasher.Verify(ctx, b.Password, phc)
	if verr != nil && ctx.Err() != nil {
		return nil, verr
	}
	if !allowed || !ok || err != nil || u.DisabledAt != nil {
		return nil, errBadCredentials
	}
	if err := a.store.ResetRateLimit(ctx, acct); err != nil {
		return nil, err
	}
	tok, err := a.startSession(ctx, u)
	if err != nil {
		return nil, err
	}
	return api.Login200JSONResponse(tok), nil
}

// errUnknownClient: a trusted proxy forwarded a client address that is not one, so per-IP
// limits cannot tell whom to count (falling back to the proxy's address would lock out all
// of its clients at once).
var errUnknownClient = &APIError{Status: http.StatusBadRequest, Code: "validation_error",
	Message: "The client address cannot be determined",
	Fields:  []api.FieldError{{Location: "header", Field: "X-Forwarded-For", Message: "the entry naming the client is not an IP address"}}}

// throttleClient counts one event of kind for the client's address in each of its buckets
// (clientip.Buckets), narrowest first, and refuses at the first one past its limit: a refused
// event is not counted in the wider buckets, so one noisy host does not use up its site's
// allowance.
func (d *deps) throttleClient(ctx context.Context, kind string, limit int, window time.Duration) error {
	addr, err := netip.ParseAddr(meta(ctx).ClientIP)
	if err != nil {
		return errUnknownClient
	}
	for _, b := range clientip.Buckets(addr) {
		if err := d.throttle(ctx, kind+":ip:"+b.Key, limit*b.Scale, window); err != nil {
			return err
		}
	}
	return nil
}

// throttle counts one event in bucket and refuses with 429 past limit.
func (d *deps) throttle(ctx context.Context, bucket string, limit int, window time.Duration) error {
	allowed, wait, err := d.hit(ctx, bucket, limit, window)
	if err != nil || allowed {
		return err
	}
	return &APIError{Status: http.StatusTooManyRequests, Code: "too_many_attempts",
		Message: "Too many attempts; try again later", RetryAfter: wait}
}

// hit counts one event in bucket: whether it is within limit, else the seconds until the
// window closes.
func (d *deps) hit(ctx context.Context, bucket string, limit int, window time.Duration) (bool, int, error) {
	n, reset, err := d.store.HitRateLimit(ctx, bucket, window)
	if err != nil || n <= limit {
		return err == nil, 0, err
	}
	return false, max(int(math.Ceil(reset.Sub(d.now()).Seconds())), 1), nil
}

func (a *AccountsAPI) startSession(ctx context.Context, u *store.User) (api.TokenResponse, error) {
	m := meta(ctx)
	refresh := randomToken(32)
	sess := &store.Session{UserID: u.ID, ClientIP: m.ClientIP, UserAgent: cleanText(m.UserAgent, 255),
		ExpiresAt: a.now().Add(a.cfg.SessionTTL)}
	if err := a.store.CreateSession(ctx, sess, secretHash(refresh), u.PasswordHash); err != nil {
		return api.TokenResponse{}, err
	}
	return a.tokens(u.ID, sess.ID, refresh)
}

func (a *AccountsAPI) tokens(userID, sessionID, refresh string) (api.TokenResponse, error) {
	access, err := a.keys.issue(userID, sessionID)
	if err != nil {
		return api.TokenResponse{}, err
	}
	return api.TokenResponse{AccessToken: access, TokenType: api.Bearer, RefreshToken: refresh,
		ExpiresIn: int(a.keys.ttl.Seconds())}, nil
}

// RefreshToken rotates a refresh token (see store.RotateRefreshToken for reuse handling).
// An unknown token is answered from one read, writing and counting nothing: a flood of
// garbage must not queue every writer behind it (SQLite has one write lock), and a 256-bit
// token cannot be guessed anyway. Rotations are counted per client IP.
func (a *AccountsAPI) RefreshToken(ctx context.Context, req api.RefreshTokenRequestObject) (api.RefreshTokenResponseObject, error) {
	old := secretHash(req.Body.RefreshToken)
	known, err := a.store.RefreshTokenExists(ctx, old)
	if err != nil {
		return nil, err
	}
	if !known {
		return nil, store.ErrTokenInvalid
	}
	if err := a.throttleClient(ctx, "refresh", a.cfg.RefreshIPLimit, a.cfg.LoginWindow); err != nil {
		return nil, err
	}
	next := randomToken(32)
	sess, err := a.store.RotateRefreshToken(ctx, old, secretHash(next), a.cfg.RefreshGrace)
	if err != nil {
		return nil, err
	}
	tok, err := a.tokens(sess.UserID, sess.ID, next)
	if err != nil {
		return nil, err
	}
	return api.RefreshToken200JSONResponse(tok), nil
}

// Logout ends the caller's session.
func (a *AccountsAPI) Logout(ctx context.Context, _ api.LogoutRequestObject) (api.LogoutResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.store.RevokeSession(ctx, p.SessionID); err != nil {
		return nil, err
	}
	return api.Logout204Response{}, nil
}

// GetMe returns the caller's profile.
func (a *AccountsAPI) GetMe(ctx context.Context, _ api.GetMeRequestObject) (api.GetMeResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	return meProfile{p.User}, nil
}

// UpdateMe changes only the fields sent. A new email or password needs the current password;
// a new password ends every other session of the user, in the same transaction (API keys stay:
// see docs/decisions.md).
func (a *AccountsAPI) UpdateMe(ctx context.Context, req api.UpdateMeRequestObject) (api.UpdateMeResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	b := req.Body
	changes := map[string]any{}
	if b.FullName.IsSpecified() {
		if changes["full_name"], err = cleanOptionalName(emptyToNil(nullableString(b.FullName))); err != nil {
			return nil, err
		}
	}
	if b.Email != nil {
		changes["email"] = string(*b.Email)
	}
	if b.Timezone != nil {
		if err := checkTimezone(*b.Timezone); err != nil {
			return nil, err
		}
		changes["timezone"] = *b.Timezone
	}
	if b.Language != nil {
		changes["language"] = *b.Language
	}
	if b.AvatarUrl.IsSpecified() {
		changes["avatar_url"] = nullableString(b.AvatarUrl)
	}
	if b.PublicProfile != nil {
		changes["public_profile"] = *b.PublicProfile
	}
	// Both take over the account (a reset link goes to the email): a stolen access token alone
	// must not be enough.
	if b.Password != nil || (b.Email != nil && string(*b.Email) != p.User.Email) {
		if b.CurrentPassword == nil {
			return nil, unprocessable("current_password_required", "Changing the email or password needs current_password")
		}
		// A stolen access token must not become an unlimited password-guessing oracle.
		if err := a.throttle(ctx, "login:user:"+p.User.ID, a.cfg.LoginAccountLimit, a.cfg.LoginWindow); err != nil {
			return nil, err
		}
		ok, err := a.hasher.Verify(ctx, *b.CurrentPassword, p.User.PasswordHash)
		if err != nil && ctx.Err() != nil {
			return nil, err
		}
		if !ok {
			return nil, newError(http.StatusForbidden, "invalid_current_password", "current_password is incorrect")
		}
	}
	if b.Password != nil {
		hash, err := a.hasher.Hash(ctx, *b.Password)
		if err != nil {
			return nil, err
		}
		changes["password_hash"] = hash
	}
	var u *store.User
	err = a.store.Tx(ctx, func(tx *store.Store) error {
		var err error
		if u, err = tx.UpdateUser(ctx, p.User.ID, changes); err != nil {
			return err
		}
		if b.Password != nil {
			return tx.RevokeOtherSessions(ctx, p.User.ID, p.SessionID)
		}
		return nil
	})
	if errors.Is(err, store.ErrConflict) {
		return nil, newError(http.StatusConflict, "email_taken", "Email is already in use")
	}
	if err != nil {
		return nil, err
	}
	return api.UpdateMe200JSONResponse(userProfile(u)), nil
}

// checkTimezone accepts IANA names only ("Local" names the server's zone, not an IANA one).
func checkTimezone(tz string) error {
	if _, err := time.LoadLocation(tz); err != nil || tz == "Local" || tz == "" {
		return unprocessable("invalid_timezone", "timezone must be an IANA time zone name such as Europe/Berlin")
	}
	return nil
}

func userProfile(u *store.User) api.UserProfile {
	return api.UserProfile{
		Id:            uuidOf(u.ID),
		Username:      u.Username,
		Email:         openapi_types.Email(u.Email),
		FullName:      nullableOf(u.FullName),
		Role:          api.PlatformRole(u.Role),
		Timezone:      u.Timezone,
		Language:      u.Language,
		AvatarUrl:     nullableOf(u.AvatarURL),
		LiveNickname:  nullableOf(u.LiveNickname),
		Plan:          api.Plan(u.Plan),
		PublicProfile: u.PublicProfile,
		CreatedAt:     u.CreatedAt,
		UpdatedAt:     u.UpdatedAt,
	}
}
