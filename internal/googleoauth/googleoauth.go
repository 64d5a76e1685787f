// Package googleoauth is the Google OAuth 2.0 client behind the Google Calendar integration,
// built on golang.org/x/oauth2: the consent URL (offline access, PKCE S256), the code exchange,
// the account's email from the userinfo endpoint, and token revocation. Google's endpoints are
// the defaults; each can be overridden (tests, proxies, other deployments).
package googleoauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// Google's endpoints.
const (
	DefaultAuthURL     = "https://accounts.google.com/o/oauth2/v2/auth"
	DefaultTokenURL    = "https://oauth2.googleapis.com/token"
	DefaultUserInfoURL = "https://openidconnect.googleapis.com/v1/userinfo"
	DefaultRevokeURL   = "https://oauth2.googleapis.com/revoke"
)

// Scopes are what the integration asks for: the account's identity and email (to show which
// account is connected), and the events of the user's calendars (to schedule study sessions),
// not full calendar administration.
var Scopes = []string{"openid", "email", CalendarScope}

// CalendarScope is the scope the integration exists for; CalendarFullScope includes it.
const (
	CalendarScope     = "https://www.googleapis.com/auth/calendar.events"
	CalendarFullScope = "https://www.googleapis.com/auth/calendar"
)

// GrantsCalendar reports whether granted scopes give access to calendar events. Google lets
// the user untick scopes on the consent page, so a token may come without it.
func GrantsCalendar(granted []string) bool {
	return slices.Contains(granted, CalendarScope) || slices.Contains(granted, CalendarFullScope)
}

// Config is the client's settings. Empty URLs take Google's; a zero Timeout takes 10 s.
type Config struct {
	ClientID     string
	ClientSecret string
	RedirectURL  string
	AuthURL      string
	TokenURL     string
	UserInfoURL  string
	RevokeURL    string
	// Timeout bounds each call to Google.
	Timeout time.Duration
}

// ErrCodeRejected: Google refused the authorization code (expired, already used, issued to
// another client or redirect, or the PKCE verifier does not match). The user should try again.
var ErrCodeRejected = errors.New("authorization code rejected")

// maxBody bounds what is read of Google's answers.
const maxBody = 1 << 20

// Client talks to Google's OAuth endpoints.
type Client struct {
	oauth       oauth2.Config
	userInfoURL string
	revokeURL   string
	http        *http.Client
}

// New builds a client; it makes no request.
func New(cfg Config) *Client {
	or := func(v, def string) string {
		if v == "" {
			return def
		}
		return v
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	return &Client{
		oauth: oauth2.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: cfg.ClientSecret,
			RedirectURL:  cfg.RedirectURL,
			Scopes:       Scopes,
			// Credentials in the form, as Google documents; auto-detection would retry a failed
			// exchange with the other style, spending the code twice.
			Endpoint: oauth2.Endpoint{AuthURL: or(cfg.AuthURL, DefaultAuthURL), TokenURL: or(cfg.TokenURL, DefaultTokenURL),
				AuthStyle: oauth2.AuthStyleInParams},
		},
		userInfoURL: or(cfg.UserInfoURL, DefaultUserInfoURL),
		revokeURL:   or(cfg.RevokeURL, DefaultRevokeURL),
		http:        &http.Client{Timeout: timeout},
	}
}

// AuthCodeURL is the consent page for state: offline access (a refresh token), consent asked
// every time (so a reconnect gets a refresh token again) and the S256 challenge of verifier.
func (c *Client) AuthCodeURL(state, verifier string) string {
	return c.oauth.AuthCodeURL(state, oauth2.AccessTypeOffline, oauth2.S256ChallengeOption(verifier),
		oauth2.SetAuthURLParam("prompt", "consent"))
}

// Exchange trades an authorization code for tokens, sending the PKCE verifier.
func (c *Client) Exchange(ctx context.Context, code, verifier string) (*oauth2.Token, error) {
	tok, err := c.oauth.Exchange(context.WithValue(ctx, oauth2.HTTPClient, c.http), code, oauth2.VerifierOption(verifier))
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.ErrorCode == "invalid_grant" {
		return nil, fmt.Errorf("%w: %s", ErrCodeRejected, re.ErrorDescription)
	}
	if err != nil {
		return nil, fmt.Errorf("google token exchange: %w", err)
	}
	return tok, nil
}

// GrantedScopes are the scopes Google's token response names, else the requested ones.
func (c *Client) GrantedScopes(tok *oauth2.Token) []string {
	if s, ok := tok.Extra("scope").(string); ok && strings.TrimSpace(s) != "" {
		return strings.Fields(s)
	}
	return append([]string{}, Scopes...)
}

// Email reads the account's email address from the userinfo endpoint ("" when Google names none).
func (c *Client) Email(ctx context.Context, accessToken string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.userInfoURL, nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		return "", fmt.Errorf("google userinfo: %w", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxBody))
	if err != nil {
		return "", fmt.Errorf("google userinfo: %w", err)
	}
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("google userinfo: status %d", res.StatusCode)
	}
	var info struct {
		Email string `json:"email"`
	}
	if err := json.Unmarshal(body, &info); err != nil {
		return "", fmt.Errorf("google userinfo: %w", err)
	}
	return info.Email, nil
}

// Revoke revokes a token at Google (revoking a refresh token also ends its access tokens).
func (c *Client) Revoke(ctx context.Context, token string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.revokeURL, strings.NewReader(url.Values{"token": {token}}.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("google revoke: %w", err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, maxBody))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("google revoke: status %d", res.StatusCode)
	}
	return nil
}
