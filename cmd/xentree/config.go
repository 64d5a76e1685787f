package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/xentree/xentree-api/internal/ai"
	"github.com/xentree/xentree-api/server"
	"github.com/xentree/xentree-api/store"
)

const defaultDatabase = "./data/xentree.db"

// config is every setting of the binary, read from the environment and checked as a whole
// before anything is opened, created or written.
type config struct {
	addr  string
	dbURL string
	// shutdown bounds the drain after the first signal (XENTREE_SHUTDOWN_TIMEOUT).
	shutdown time.Duration
	// debugAddr, when set, serves net/http/pprof there (XENTREE_DEBUG_ADDR; off by default).
	debugAddr string
	db        store.Options
	server    server.Config
	logLevel  slog.Level
	logFormat string
	// secretFile is where a JWT secret generated for the embedded default is to be kept;
	// empty when the secret was configured or read back from that file.
	secretFile string
	// keyFile and keyEncoded are the same for a generated encryption key.
	keyFile, keyEncoded string
}

// loadConfig reads and validates the settings cmd needs from getenv. It has no side effects:
// a JWT secret the SQLite default needs is read from the data folder or generated in memory
// (persisted by the caller once the database is up).
func loadConfig(cmd string, getenv func(string) string) (*config, error) {
	get := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	c := &config{addr: get("XENTREE_ADDR", ":8080"), dbURL: get("XENTREE_DATABASE_URL", defaultDatabase), logFormat: get("XENTREE_LOG_FORMAT", "json")}
	var errs []error
	check := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	if _, _, err := net.SplitHostPort(c.addr); err != nil {
		check(fmt.Errorf("XENTREE_ADDR %q: %w", c.addr, err))
	}
	if c.debugAddr = get("XENTREE_DEBUG_ADDR", ""); c.debugAddr != "" {
		if _, _, err := net.SplitHostPort(c.debugAddr); err != nil {
			check(fmt.Errorf("XENTREE_DEBUG_ADDR %q: %w", c.debugAddr, err))
		}
	}
	c.shutdown = defaultShutdown
	if v := get("XENTREE_SHUTDOWN_TIMEOUT", ""); v != "" {
		n, err := time.ParseDuration(v)
		if err != nil || n <= 0 {
			check(fmt.Errorf("XENTREE_SHUTDOWN_TIMEOUT must be a positive duration such as 30s, got %q", v))
		}
		c.shutdown = n
	}
	if err := c.logLevel.UnmarshalText([]byte(get("XENTREE_LOG_LEVEL", "info"))); err != nil {
		check(fmt.Errorf("XENTREE_LOG_LEVEL must be debug, info, warn or error, got %q", getenv("XENTREE_LOG_LEVEL")))
	}
	if c.logFormat != "json" && c.logFormat != "text" {
		check(fmt.Errorf("XENTREE_LOG_FORMAT must be json or text, got %q", c.logFormat))
	}
	ints := make(map[string]int)
	for _, k := range []string{"XENTREE_REGISTER_IP_LIMIT", "XENTREE_LOGIN_ACCOUNT_LIMIT", "XENTREE_LOGIN_IP_LIMIT", "XENTREE_REFRESH_IP_LIMIT", "XENTREE_PUBLIC_PROFILE_IP_LIMIT",
		"XENTREE_XEL_EVALUATIONS_PER_HOUR"} {
		v := get(k, "")
		if v == "" {
			continue // 0: the server's default
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			check(fmt.Errorf("%s must be a positive integer, got %q", k, v))
		}
		ints[k] = n
	}
	def := store.DefaultOptions()
	durations := []struct {
		key string
		dst *time.Duration
		def time.Duration
	}{
		{"XENTREE_DB_STATEMENT_TIMEOUT", &c.db.StatementTimeout, def.StatementTimeout},
		{"XENTREE_DB_LOCK_TIMEOUT", &c.db.LockTimeout, def.LockTimeout},
		{"XENTREE_DB_IDLE_TX_TIMEOUT", &c.db.IdleInTxTimeout, def.IdleInTxTimeout},
	}
	for _, d := range durations {
		*d.dst = d.def
		v := get(d.key, "")
		if v == "" {
			continue
		}
		n, err := time.ParseDuration(v)
		if err != nil || n < 0 {
			check(fmt.Errorf("%s must be a duration such as 30s (0 disables), got %q", d.key, v))
		}
		*d.dst = n
	}
	if c.db.MigrationURL = get("XENTREE_MIGRATION_DATABASE_URL", ""); c.db.MigrationURL != "" && (!store.IsPostgres(c.dbURL) || !store.IsPostgres(c.db.MigrationURL)) {
		check(errors.New("XENTREE_MIGRATION_DATABASE_URL must be a postgres:// URL, and only with a PostgreSQL XENTREE_DATABASE_URL"))
	}
	lifetimes := map[string]time.Duration{}
	for _, k := range []string{"XENTREE_ACCESS_TOKEN_TTL", "XENTREE_SESSION_TTL"} {
		if v := get(k, ""); v != "" {
			n, err := time.ParseDuration(v)
			if err != nil || n <= 0 {
				check(fmt.Errorf("%s must be a positive duration such as 15m or 720h, got %q", k, v))
			}
			lifetimes[k] = n
		}
	}
	c.server = server.Config{
		AccessTTL:            lifetimes["XENTREE_ACCESS_TOKEN_TTL"],
		SessionTTL:           lifetimes["XENTREE_SESSION_TTL"],
		JWTSecret:            getenv("XENTREE_JWT_SECRET"),
		JWTPreviousSecrets:   list(getenv("XENTREE_JWT_PREVIOUS_SECRETS")),
		TrustedProxies:       list(getenv("XENTREE_TRUSTED_PROXIES")),
		CORSOrigins:          list(getenv("XENTREE_CORS_ORIGINS")),
		BodyLimit:            get("XENTREE_BODY_LIMIT", ""),
		RegisterIPLimit:      ints["XENTREE_REGISTER_IP_LIMIT"],
		LoginAccountLimit:    ints["XENTREE_LOGIN_ACCOUNT_LIMIT"],
		LoginIPLimit:         ints["XENTREE_LOGIN_IP_LIMIT"],
		RefreshIPLimit:       ints["XENTREE_REFRESH_IP_LIMIT"],
		PublicProfileIPLimit: ints["XENTREE_PUBLIC_PROFILE_IP_LIMIT"],

		XELEvaluationsPerHour: ints["XENTREE_XEL_EVALUATIONS_PER_HOUR"],
	}
	check(liveSettings(getenv, &c.server))
	check(chatSettings(getenv, &c.server))
	aiCfg, err := ai.ConfigFromEnv(getenv)
	check(err)
	c.server.AI = aiCfg
	if cmd == "serve" && len(errs) == 0 {
		check(c.integrationSettings(getenv))
	}
	check(c.server.Validate())
	if cmd == "serve" && c.server.JWTSecret == "" && len(errs) == 0 {
		check(c.embeddedSecret())
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("configuration: %w", errors.Join(errs...))
	}
	return c, nil
}

// embeddedSecret fills in the JWT secret the embedded default may do without: the one kept
// beside the database, else a new one (to be persisted). PostgreSQL deployments run several
// replicas and must configure the secret explicitly.
func (c *config) embeddedSecret() error {
	if store.IsPostgres(c.dbURL) {
		return errors.New("XENTREE_JWT_SECRET is required with PostgreSQL (every replica must share it)")
	}
	path := filepath.Join(filepath.Dir(c.dbURL), "jwt-secret")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		c.server.JWTSecret = strings.TrimSpace(string(b))
		return nil
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("read the generated JWT secret: %w", err)
	}
	c.server.JWTSecret, c.secretFile = server.NewSecret(), path
	return nil
}

// persistSecret writes a generated JWT secret and encryption key to the data folder, so
// restarts keep sessions valid and sealed tokens readable.
func (c *config) persistSecret(log *slog.Logger) error {
	if c.secretFile != "" {
		if err := os.WriteFile(c.secretFile, []byte(c.server.JWTSecret+"\n"), 0o600); err != nil {
			return fmt.Errorf("persist generated JWT secret: %w", err)
		}
		log.Warn("XENTREE_JWT_SECRET not set: generated one and stored it in the data folder", "path", c.secretFile)
	}
	if c.keyFile != "" {
		if err := os.WriteFile(c.keyFile, []byte(c.keyEncoded+"\n"), 0o600); err != nil {
			return fmt.Errorf("persist generated encryption key: %w", err)
		}
		log.Warn("XENTREE_ENCRYPTION_KEY not set: generated one and stored it in the data folder", "path", c.keyFile)
	}
	return nil
}

// logger is the structured logger the settings ask for.
func (c *config) logger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.logLevel}
	if c.logFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func list(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
