// Command xentree runs the Xentree API server.
//
//	xentree [serve]                      run the HTTP server (applies migrations first)
//	xentree migrate                      apply database migrations and exit
//	xentree admin grant-super-admin USER grant the platform super_admin role
//	xentree admin revoke-super-admin USER remove it
//
// Configuration comes from environment variables; see README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/xentree/xentree-api/server"
	"github.com/xentree/xentree-api/store"
)

const defaultDatabase = "./data/xentree.db"

func main() {
	log := newLogger()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, log, os.Args[1:]); err != nil {
		log.Error("xentree failed", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, log *slog.Logger, args []string) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd = args[0]
	}
	switch cmd {
	case "serve", "migrate", "admin":
	case "-h", "--help", "help":
		fmt.Println("usage: xentree [serve | migrate | admin grant-super-admin|revoke-super-admin USERNAME]")
		return nil
	default:
		return fmt.Errorf("unknown command %q (want serve, migrate or admin)", cmd)
	}
	dbURL := env("XENTREE_DATABASE_URL", defaultDatabase)
	st, err := store.Open(ctx, dbURL, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	switch cmd {
	case "migrate":
		log.Info("database is up to date")
		return nil
	case "admin":
		return admin(ctx, st, args[1:])
	}
	return serve(ctx, log, st, dbURL)
}

func admin(ctx context.Context, st *store.Store, args []string) error {
	if len(args) != 2 {
		return errors.New("usage: xentree admin grant-super-admin|revoke-super-admin USERNAME")
	}
	role := map[string]string{"grant-super-admin": store.RoleSuperAdmin, "revoke-super-admin": store.RoleUser}[args[0]]
	if role == "" {
		return fmt.Errorf("unknown admin action %q", args[0])
	}
	if err := st.SetUserRole(ctx, args[1], role); err != nil {
		return fmt.Errorf("user %q: %w", args[1], err)
	}
	fmt.Printf("%s is now %s\n", args[1], role)
	return nil
}

func serve(ctx context.Context, log *slog.Logger, st *store.Store, dbURL string) error {
	secret, err := jwtSecret(log, dbURL)
	if err != nil {
		return err
	}
	limits, err := intSettings("XENTREE_REGISTER_IP_LIMIT", "XENTREE_LOGIN_ACCOUNT_LIMIT", "XENTREE_LOGIN_IP_LIMIT")
	if err != nil {
		return err
	}
	cfg := server.Config{
		JWTSecret:          secret,
		JWTPreviousSecrets: list(os.Getenv("XENTREE_JWT_PREVIOUS_SECRETS")),
		TrustedProxies:     list(os.Getenv("XENTREE_TRUSTED_PROXIES")),
		CORSOrigins:        list(os.Getenv("XENTREE_CORS_ORIGINS")),
		BodyLimit:          os.Getenv("XENTREE_BODY_LIMIT"),
		RegisterIPLimit:    limits[0],
		LoginAccountLimit:  limits[1],
		LoginIPLimit:       limits[2],
	}
	if err := liveSettings(&cfg); err != nil {
		return err
	}
	if err := integrationSettings(log, &cfg, dbURL); err != nil {
		return err
	}
	e, err := server.New(cfg, st, log)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Addr:              env("XENTREE_ADDR", ":8080"),
		Handler:           e,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	go server.Maintain(ctx, cfg, st, log, 10*time.Minute)
	errc := make(chan error, 1)
	go func() {
		log.Info("listening", "addr", srv.Addr, "database", string(st.Dialect()), "docs", "/docs")
		errc <- srv.ListenAndServe()
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// jwtSecret returns XENTREE_JWT_SECRET. Without it, the embedded (SQLite) default generates
// one and keeps it beside the database so restarts keep sessions valid; PostgreSQL
// deployments run several replicas and must configure the secret explicitly.
func jwtSecret(log *slog.Logger, dbURL string) (string, error) {
	if s := os.Getenv("XENTREE_JWT_SECRET"); s != "" {
		return s, nil
	}
	if store.IsPostgres(dbURL) {
		return "", errors.New("XENTREE_JWT_SECRET is required with PostgreSQL")
	}
	path := filepath.Join(filepath.Dir(dbURL), "jwt-secret")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return strings.TrimSpace(string(b)), nil
	}
	secret := server.NewSecret()
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("persist generated JWT secret: %w", err)
	}
	log.Warn("XENTREE_JWT_SECRET not set: generated one and stored it in the data folder", "path", path)
	return secret, nil
}

func newLogger() *slog.Logger {
	level := slog.LevelInfo
	_ = level.UnmarshalText([]byte(env("XENTREE_LOG_LEVEL", "info")))
	opts := &slog.HandlerOptions{Level: level}
	if os.Getenv("XENTREE_LOG_FORMAT") == "text" {
		return slog.New(slog.NewTextHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, opts))
}

func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
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

// intSettings reads optional positive integer settings (0, the default, when unset); a
// malformed value is an error rather than a silent fallback.
func intSettings(keys ...string) ([]int, error) {
	out := make([]int, len(keys))
	for i, k := range keys {
		v := strings.TrimSpace(os.Getenv(k))
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%s must be a positive integer, got %q", k, v)
		}
		out[i] = n
	}
	return out, nil
}
