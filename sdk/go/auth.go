// Package xentree is the Go client of the Xentree API. client.gen.go is generated from the
// API's openapi.yaml (models and a client with one method per operation, named after its
// operationId); this file adds authentication: a bearer token, an API key, and a Session that
// logs in and refreshes its access token by itself.
//
// The module needs none of the server's dependencies:
//
//	go get github.com/xentree/xentree-api/sdk/go
package xentree

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"
)

// Email and UUID are the formats of the generated models, here so callers need not import
// the oapi-codegen runtime.
type (
	Email = openapi_types.Email
	UUID  = openapi_types.UUID
)

// BearerAuth signs one call with an access token: pass it as a RequestEditorFn.
func BearerAuth(token string) RequestEditorFn {
	return func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+token)
		return nil
	}
}

// APIKeyAuth signs one call with an API key: pass it as a RequestEditorFn.
func APIKeyAuth(key string) RequestEditorFn {
	return func(_ context.Context, r *http.Request) error {
		r.Header.Set("X-API-Key", key)
		return nil
	}
}

// WithBearer signs every call of a client with a fixed access token (it expires: see Session).
func WithBearer(token string) ClientOption { return WithRequestEditorFn(BearerAuth(token)) }

// WithAPIKey signs every call of a client with an API key.
func WithAPIKey(key string) ClientOption { return WithRequestEditorFn(APIKeyAuth(key)) }

// APIError is an error answer of the API: its HTTP status and the Error body's detail.
type APIError struct {
	StatusCode int
	Detail     ErrorDetail
}

func (e *APIError) Error() string {
	return fmt.Sprintf("xentree: %d %s: %s", e.StatusCode, e.Detail.Error, e.Detail.Message)
}

// Response is what every generated *Response type has.
type Response interface {
	StatusCode() int
	GetBody() []byte
}

// Check returns nil for a 2xx response and an *APIError for any other (with an empty detail
// when the body is not the API's Error body, e.g. from a proxy).
func Check(r Response) error {
	if s := r.StatusCode(); s >= 200 && s < 300 {
		return nil
	}
	e := &APIError{StatusCode: r.StatusCode()}
	var body Error
	if json.Unmarshal(r.GetBody(), &body) == nil {
		e.Detail = body.Detail
	}
	return e
}

// Login logs in with a username (or email) and password: the readable name of the generated
// LoginWithFormdataBodyWithResponse.
func (c *ClientWithResponses) Login(ctx context.Context, username, password string, reqEditors ...RequestEditorFn) (*LoginResponse, error) {
	return c.LoginWithFormdataBodyWithResponse(ctx, LoginFormdataRequestBody{Username: username, Password: password}, reqEditors...)
}

// Session is a logged-in user: it embeds a client whose calls carry the session's access
// token. The token is refreshed shortly before it expires and once more when the server
// answers 401 to a call (its session may have been cut short, or clocks disagree); the call is
// then repeated. Refreshes are serialized because a refresh token works only once: two
// concurrent refreshes with the same token would revoke the session. Safe for concurrent use.
type Session struct {
	*ClientWithResponses

	// Now is the session's clock (time.Now by default). The expiry of a pair is reckoned on it
	// when the pair arrives: set it before Refresh.
	Now func() time.Time
	// OnRefresh, when set, receives every new token pair (to persist it, say).
	OnRefresh func(TokenResponse)

	anon   *ClientWithResponses // unauthenticated: login and refresh
	mu     sync.Mutex
	tokens TokenResponse
	expiry time.Time
}

// Login logs in to the API at server (e.g. "http://localhost:8080") and returns the session.
// opts configure both the session's client and its own login and refresh calls (WithHTTPClient
// for a custom transport, say). A refused login is an *APIError.
func Login(ctx context.Context, server, username, password string, opts ...ClientOption) (*Session, error) {
	anon, err := NewClientWithResponses(server, opts...)
	if err != nil {
		return nil, err
	}
	res, err := anon.Login(ctx, username, password)
	if err != nil {
		return nil, err
	}
	if err := Check(res); err != nil {
		return nil, err
	}
	return NewSession(server, *res.JSON200, opts...)
}

// NewSession resumes a session from a token pair obtained earlier (by Login or elsewhere).
func NewSession(server string, tokens TokenResponse, opts ...ClientOption) (*Session, error) {
	anon, err := NewClientWithResponses(server, opts...)
	if err != nil {
		return nil, err
	}
	s := &Session{Now: time.Now, anon: anon}
	s.set(tokens)
	base := anon.ClientInterface.(*Client).Client
	s.ClientWithResponses, err = NewClientWithResponses(server, append(opts, WithHTTPClient(&signer{s: s, next: base}))...)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Tokens returns the current token pair.
func (s *Session) Tokens() TokenResponse {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens
}

// AccessToken returns a valid access token, refreshing the pair first if it is about to expire.
func (s *Session) AccessToken(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.Now().Before(s.expiry) {
		if err := s.refreshLocked(ctx); err != nil {
			return "", err
		}
	}
	return s.tokens.AccessToken, nil
}

// Refresh exchanges the refresh token for a new pair now.
func (s *Session) Refresh(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refreshLocked(ctx)
}

// Logout ends the session on the server: its tokens stop working at once.
func (s *Session) Logout(ctx context.Context) error {
	res, err := s.LogoutWithResponse(ctx)
	if err != nil {
		return err
	}
	return Check(res)
}

// refreshAfter401 refreshes unless another call already did since used was sent.
func (s *Session) refreshAfter401(ctx context.Context, used string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tokens.AccessToken != used {
		return s.tokens.AccessToken, nil
	}
	err := s.refreshLocked(ctx)
	return s.tokens.AccessToken, err
}

func (s *Session) refreshLocked(ctx context.Context) error {
	res, err := s.anon.RefreshTokenWithResponse(ctx, RefreshTokenJSONRequestBody{RefreshToken: s.tokens.RefreshToken})
	if err != nil {
		return err
	}
	if err := Check(res); err != nil {
		return err
	}
	s.set(*res.JSON200)
	if s.OnRefresh != nil {
		s.OnRefresh(*res.JSON200)
	}
	return nil
}

// set stores a pair; it counts as expired a tenth of its lifetime early (at most a minute),
// so a call never leaves with a token that dies on the way.
func (s *Session) set(t TokenResponse) {
	life := time.Duration(t.ExpiresIn) * time.Second
	s.tokens, s.expiry = t, s.Now().Add(life-min(life/10, time.Minute))
}

// signer is the session client's transport: it adds the access token and retries once after
// a refresh when the answer is 401 and the request can be sent again.
type signer struct {
	s    *Session
	next HttpRequestDoer
}

func (d *signer) Do(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	token, err := d.s.AccessToken(ctx)
	if err != nil {
		return nil, fmt.Errorf("xentree: refreshing the access token: %w", err)
	}
	res, err := d.send(req, token)
	if err != nil || res.StatusCode != http.StatusUnauthorized || !replayable(req) || isLogout(req) {
		return res, err
	}
	fresh, rerr := d.s.refreshAfter401(ctx, token)
	var apiErr *APIError
	if errors.As(rerr, &apiErr) {
		return res, nil // the session is over: the caller sees the original 401
	}
	if rerr != nil {
		return nil, fmt.Errorf("xentree: refreshing the access token: %w", rerr)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
	retry := req.Clone(ctx)
	if req.GetBody != nil {
		if retry.Body, err = req.GetBody(); err != nil {
			return nil, err
		}
	}
	return d.send(retry, fresh)
}

func (d *signer) send(req *http.Request, token string) (*http.Response, error) {
	req.Header.Set("Authorization", "Bearer "+token)
	return d.next.Do(req)
}

func replayable(req *http.Request) bool {
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

// isLogout: a 401 on logout means the session is already over; refreshing would revive nothing.
func isLogout(req *http.Request) bool {
	return req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/api/auth/logout")
}
