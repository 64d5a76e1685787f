// Package server is the hand-written implementation of the Xentree API: one handler file and
// one small struct per API area, composed into Server, which satisfies the strict interface
// generated from openapi.yaml. Middleware authenticates and validates every request against the
// spec before a handler runs; HandleError turns every error into the documented Error body.
package server

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/gommon/bytes"

	xentree "github.com/xentree/xentree-api"
	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/internal/clock"
	"github.com/xentree/xentree-api/internal/ledger"
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
	// SessionTTL bounds a login session and its refresh tokens (default 30 days).
	SessionTTL time.Duration
	// RefreshGrace is how long a just-rotated refresh token is treated as a benign race rather
	// than theft, while its successor is unused (default 10 s).
	RefreshGrace time.Duration
	// PasswordParams overrides the argon2id cost (tests only; default OWASP).
	PasswordParams *ArgonParams
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
	if c.LoginWindow == 0 {
		c.LoginWindow = 15 * time.Minute
	}
	if c.SessionTTL == 0 {
		c.SessionTTL = 30 * 24 * time.Hour
	}
	if c.RefreshGrace == 0 {
		c.RefreshGrace = 10 * time.Second
	}
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
	*XPAPI
	*XELAPI
	*LiveAPI
	*IntegrationsAPI
}

var _ api.StrictServerInterface = (*Server)(nil)

// New builds the HTTP application: middleware, the generated routes, docs and health checks.
func New(cfg Config, st *store.Store, log *slog.Logger) (*echo.Echo, error) {
	cfg.defaults()
	if _, err := bytes.Parse(cfg.BodyLimit); err != nil {
		return nil, fmt.Errorf("body limit %q: %w", cfg.BodyLimit, err)
	}
	keys, err := newTokenKeys(cfg.JWTSecret, cfg.JWTPreviousSecrets, st.Clock())
	if err != nil {
		return nil, err
	}
	params := OWASPArgon
	if cfg.PasswordParams != nil {
		params = *cfg.PasswordParams
	}
	d := &deps{cfg: cfg, store: st, log: log, hasher: newHasher(params), keys: keys, clock: st.Clock(),
		ledger: ledger.New(st)}
	srv := &Server{
		AccountsAPI:      &AccountsAPI{d},
		APIKeysAPI:       &APIKeysAPI{d},
		OrganizationsAPI: &OrganizationsAPI{d},
		MembersAPI:       &MembersAPI{d},
		TeamsAPI:         &TeamsAPI{d},
		ConversationsAPI: &ConversationsAPI{d},
		KnowledgeAPI:     &KnowledgeAPI{d},
		XPAPI:            &XPAPI{d},
		XELAPI:           &XELAPI{d},
		LiveAPI:          &LiveAPI{d},
		IntegrationsAPI:  &IntegrationsAPI{d},
	}
	spec, err := LoadSpec(xentree.OpenAPISpec)
	if err != nil {
		return nil, err
	}
	v, err := newValidator(spec, &authenticator{store: st, keys: keys})
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
	e.Pre(requestID)
	e.Use(accessLog(log), recoverPanics(log), securityHeaders)
	if len(cfg.CORSOrigins) > 0 {
		e.Use(cors(cfg.CORSOrigins))
	}
	e.Use(requestMetadata, bodyLimit(cfg.BodyLimit), v.middleware)
	api.RegisterHandlers(e, api.NewStrictHandler(srv, nil))
	registerOps(e, st)
	return e, nil
}

// ipExtractor believes X-Forwarded-For only from the configured proxies; by default the
// client IP is the peer address, so a spoofed header cannot dodge per-IP limits.
func ipExtractor(trusted []string) (echo.IPExtractor, error) {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect(), nil
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, t := range trusted {
		p, err := parsePrefix(t)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: %w", t, err)
		}
		opts = append(opts, echo.TrustIPRange(netipToIPNet(p)))
	}
	return echo.ExtractIPFromXFFHeader(opts...), nil
}
