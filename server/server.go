// Package server is the hand-written implementation of the Xentree API: one handler file and
// one small struct per API area, composed into Server, which satisfies the strict interface
// generated from openapi.yaml. Middleware authenticates and validates every request against the
// spec before a handler runs; HandleError turns every error into the documented Error body.
package server

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/gommon/bytes"

	xentree "github.com/xentree/xentree-api"
	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/internal/ai"
	"github.com/xentree/xentree-api/internal/clientip"
	"github.com/xentree/xentree-api/internal/clock"
	"github.com/xentree/xentree-api/internal/googleoauth"
	"github.com/xentree/xentree-api/internal/ledger"
	"github.com/xentree/xentree-api/internal/xel"
	"github.com/xentree/xentree-api/store"
)

// Config holds the server's settings; zero values take the documented defaults.
type Config struct {
	// JWTSecret signs access tokens (at least 32 characters).
	JWTSecret string
	// JWTPreviousSecrets still verify tokens signed before a key rotation.
	JWTPreviousSecrets []string
	// TrustedProxies are the proxy addresses or CIDR ranges whose X-Forwarded-For is believed.
	// Empty: the client IP is the connection's peer address.
	TrustedProxies []string
	// CORSOrigins are the browser origins allowed to call the API cross-site (none by default).
	CORSOrigins []string
	// BodyLimit caps request bodies (Echo size syntax, default "1M").
	BodyLimit string
	// LoginAccountLimit and LoginIPLimit cap login attempts per account and per client IP
	// within LoginWindow (defaults 10, 100 and 15 minutes).
	LoginAccountLimit int
	LoginIPLimit      int
	LoginWindow       time.Duration
	// RegisterIPLimit caps registrations per client IP per hour (default 30).
	RegisterIPLimit int
	// RefreshIPLimit caps token refreshes per client IP within LoginWindow (default 1000).
	RefreshIPLimit int
	// PublicProfileIPLimit caps public profile reads per client IP per minute (default 120).
	PublicProfileIPLimit int
	// SessionTTL bounds a login session and its refresh tokens (default 30 days).
	SessionTTL time.Duration
	// AccessTTL is the lifetime of an access token (default 15 minutes, 1 minute to 24 hours,
	// at most SessionTTL). Logout and revocation act at once whatever it is.
	AccessTTL time.Duration
	// RefreshGrace is how long a just-rotated refresh token is treated as a benign race rather
	// than theft, while its successor is unused (default 10 s).
	RefreshGrace time.Duration
	// PasswordParams overrides the argon2id cost (tests only; default OWASP).
	PasswordParams *ArgonParams

	// Xentree Live (see live.go).
	// LiveQuotas is the monthly Live quota per plan ("free", "pro", "enterprise"), in whole
	// seconds; plans not named take the defaults (30 minutes, 10 hours, 50 hours).
	LiveQuotas map[string]time.Duration
	// LiveHeartbeatInterval is how often clients are asked to send a heartbeat (default 30 s).
	LiveHeartbeatInterval time.Duration
	// LiveIdleTimeout: a session without a heartbeat for this long expires (default 90 s).
	LiveIdleTimeout time.Duration

	// Integrations (see integrations.go).
	// Google is the Google OAuth client. Without ClientID, ClientSecret and RedirectURL the
	// Google Calendar integration answers 503 naming what is missing.
	Google googleoauth.Config
	// AppURL is where the OAuth callback sends the browser back to; empty: it answers JSON.
	AppURL string
	// EncryptionKey seals OAuth tokens at rest (AES-256-GCM, 32 bytes); required with Google.
	EncryptionKey []byte
	// EncryptionPreviousKeys still open values sealed before a key rotation.
	EncryptionPreviousKeys [][]byte
	// OAuthStateTTL is how long an OAuth state stays valid (default 10 minutes).
	OAuthStateTTL time.Duration

	// AI configures the provider layer (docs/providers.md); the zero value serves the offline
	// tutor alone. Its clock defaults to the store's.
	AI ai.Config

	// Conversations and learning sessions (see conversations.go).
	// ChatRateLimit caps the chat messages of one user per minute, across replicas (default 20).
	ChatRateLimit int
	// ChatMaxMessageChars caps a message's characters (default, and at most, 32,000: the schema's).
	ChatMaxMessageChars int
	// ChatHistoryTurns and ChatHistoryChars bound the earlier turns sent with a message: the
	// newest that fit both (defaults 40 turns, 48,000 characters).
	ChatHistoryTurns int
	ChatHistoryChars int
	// LearningCreditCap is the most one learning-session activity call credits (default 2 min).
	LearningCreditCap time.Duration
	// LearningIdleTimeout: a learning session without activity this long ends by itself, with
	// the time up to its last activity (default 15 min).
	LearningIdleTimeout time.Duration
	// wrapProvider, when set, wraps the provider of every chat (benchmarks time the calls).
	wrapProvider func(ai.Provider) ai.Provider

	// Xentree English (see xel.go).
	// XELCatalogue replaces the shipped catalogue (tests); nil serves content/xel.
	XELCatalogue *xel.Catalogue
	// XELEvaluationsPerHour caps each user's AI evaluations of writing and speaking per hour
	// (default 60), when an AI provider is configured; offline evaluations are not counted.
	XELEvaluationsPerHour int
}

func (c *Config) defaults() {
	if c.BodyLimit == "" {
		c.BodyLimit = "1M"
	}
	if c.LoginAccountLimit == 0 {
		c.LoginAccountLimit = 10
	}
	if c.LoginIPLimit == 0 {
		c.LoginIPLimit = 100
	}
	if c.RegisterIPLimit == 0 {
		c.RegisterIPLimit = 30
	}
	if c.PublicProfileIPLimit == 0 {
		c.PublicProfileIPLimit = 120
	}
	if c.RefreshIPLimit == 0 {
		c.RefreshIPLimit = 1000
	}
	if c.LoginWindow == 0 {
		c.LoginWindow = 15 * time.Minute
	}
	if c.SessionTTL == 0 {
		c.SessionTTL = 30 * 24 * time.Hour
	}
	if c.AccessTTL == 0 {
		c.AccessTTL = defaultAccessTTL
	}
	if c.RefreshGrace == 0 {
		c.RefreshGrace = 10 * time.Second
	}
	c.liveDefaults()
	c.integrationDefaults()
	c.chatDefaults()
	c.xelDefaults()
}

// deps are what every API area shares.
type deps struct {
	cfg    Config
	store  *store.Store
	log    *slog.Logger
	hasher *hasher
	keys   *tokenKeys
	// clock is the process's one time source (the store's); handlers and rules read it, never time.Now.
	clock clock.Clock
	// ledger records XP and learning time (every area awards through it) and reads progress.
	ledger *ledger.Ledger
	// ai routes completions to the configured providers ("auto" falls back to the offline tutor).
	ai *ai.Router
}

// now is the current time as the store keeps it (UTC, microseconds).
func (d *deps) now() time.Time { return d.store.Now() }

// Server composes the API areas into the generated strict interface.
type Server struct {
	*AccountsAPI
	*APIKeysAPI
	*OrganizationsAPI
	*MembersAPI
	*TeamsAPI
	*ConversationsAPI
	*KnowledgeAPI
	*SearchAPI
	*XPAPI
	*XELAPI
	*LiveAPI
	*IntegrationsAPI
}

var _ api.StrictServerInterface = (*Server)(nil)

// Validate reports the first setting New would refuse, so a binary can check its whole
// configuration before it opens anything. An empty JWTSecret passes here (New requires one).
func (c Config) Validate() error {
	c.defaults()
	if _, err := bytes.Parse(c.BodyLimit); err != nil {
		return fmt.Errorf("body limit %q: %w", c.BodyLimit, err)
	}
	for _, s := range append([]string{c.JWTSecret}, c.JWTPreviousSecrets...) {
		if s != "" && len(s) < minSecretLength {
			return fmt.Errorf("JWT secrets must be at least %d characters", minSecretLength)
		}
	}
	if _, err := ipExtractor(c.TrustedProxies); err != nil {
		return err
	}
	for _, n := range []int{c.LoginAccountLimit, c.LoginIPLimit, c.RegisterIPLimit, c.RefreshIPLimit, c.PublicProfileIPLimit} {
		if n < 0 {
			return fmt.Errorf("limits must be positive, got %d", n)
		}
	}
	if c.AccessTTL < time.Minute || c.AccessTTL > 24*time.Hour || c.AccessTTL > c.SessionTTL {
		return fmt.Errorf("access token lifetime %s must be between 1m and 24h and at most the session lifetime %s", c.AccessTTL, c.SessionTTL)
	}
	if c.SessionTTL > 366*24*time.Hour {
		return fmt.Errorf("session lifetime %s must be at most 366 days", c.SessionTTL)
	}
	if err := c.checkLive(); err != nil {
		return err
	}
	if err := c.checkChat(); err != nil {
		return err
	}
	if c.XELEvaluationsPerHour < 0 {
		return fmt.Errorf("XEL evaluations per hour must be positive, got %d", c.XELEvaluationsPerHour)
	}
	// The integrations check their own settings (URLs, a complete Google client, its key).
	_, err := newIntegrationsAPI(&deps{cfg: c})
	return err
}

// New builds the HTTP application: middleware, the generated routes, docs and health checks.
func New(cfg Config, st *store.Store, log *slog.Logger) (*echo.Echo, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.defaults()
	keys, err := newTokenKeys(cfg.JWTSecret, cfg.JWTPreviousSecrets, st.Clock())
	if err != nil {
		return nil, err
	}
	keys.ttl = cfg.AccessTTL
	params := OWASPArgon
	if cfg.PasswordParams != nil {
		params = *cfg.PasswordParams
	}
	d := &deps{cfg: cfg, store: st, log: log, hasher: newHasher(params), keys: keys, clock: st.Clock(),
		ledger: ledger.New(st)}
	if cfg.AI.Clock == nil {
		cfg.AI.Clock = st.Clock()
	}
	if d.ai, err = ai.NewRouter(cfg.AI, newRetriever(d)); err != nil {
		return nil, err
	}
	integrations, err := newIntegrationsAPI(d)
	if err != nil {
		return nil, err
	}
	xelAPI, err := newXELAPI(d)
	if err != nil {
		return nil, err
	}
	srv := &Server{
		AccountsAPI:      &AccountsAPI{d},
		APIKeysAPI:       &APIKeysAPI{d},
		OrganizationsAPI: &OrganizationsAPI{d},
		MembersAPI:       &MembersAPI{d},
		TeamsAPI:         &TeamsAPI{d},
		ConversationsAPI: &ConversationsAPI{d},
		KnowledgeAPI:     &KnowledgeAPI{d},
		SearchAPI:        &SearchAPI{d},
		XPAPI:            &XPAPI{d},
		XELAPI:           xelAPI,
		LiveAPI:          &LiveAPI{d},
		IntegrationsAPI:  integrations,
	}
	spec, err := LoadSpec(xentree.OpenAPISpec)
	if err != nil {
		return nil, err
	}
	v, err := newValidator(spec, &authenticator{store: st, keys: keys, log: log})
	if err != nil {
		return nil, err
	}
	extractor, err := ipExtractor(cfg.TrustedProxies)
	if err != nil {
		return nil, err
	}

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.IPExtractor = extractor
	e.HTTPErrorHandler = HandleError(log)
	e.Pre(requestID, headAsGet)
	e.Use(accessLog(log), recoverPanics(log), securityHeaders)
	if len(cfg.CORSOrigins) > 0 {
		e.Use(cors(cfg.CORSOrigins))
	}
	e.Use(requestMetadata, bodyLimits(cfg.BodyLimit), v.middleware)
	api.RegisterHandlers(e, api.NewStrictHandler(srv, nil))
	registerOps(e, st)
	return e, nil
}

// ipExtractor believes X-Forwarded-For only from the configured proxies; by default the
// client IP is the peer address, so a spoofed header cannot dodge per-IP limits. Addresses come
// out in one spelling (no zone, IPv4-mapped as IPv4); "" when the address that should name the
// client cannot be parsed (per-IP limits then refuse the request).
func ipExtractor(trusted []string) (echo.IPExtractor, error) {
	var proxies []netip.Prefix
	for _, t := range trusted {
		p, err := parsePrefix(t)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: %w", t, err)
		}
		proxies = append(proxies, p)
	}
	isProxy := func(a netip.Addr) bool {
		for _, p := range proxies {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	return func(req *http.Request) string {
		peer, err := clientip.Parse(req.RemoteAddr)
		if err != nil {
			return ""
		}
		if len(proxies) == 0 {
			return peer.String()
		}
		a, err := clientip.FromForwarded(peer, req.Header.Values(echo.HeaderXForwardedFor), isProxy)
		if err != nil {
			return ""
		}
		return a.String()
	}, nil
}
