package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xentree/xentree-api/store"
)

// TestSettingsValidatedFirst (defect 3): a bad setting stops the binary before it touches
// anything: no data folder, no database, no migrations, no generated jwt-secret file.
func TestSettingsValidatedFirst(t *testing.T) {
	for name, env := range map[string]map[string]string{
		"login IP limit":      {"XENTREE_LOGIN_IP_LIMIT": "-3"},
		"register limit":      {"XENTREE_REGISTER_IP_LIMIT": "ten"},
		"short secret":        {"XENTREE_JWT_SECRET": "short"},
		"short old secret":    {"XENTREE_JWT_PREVIOUS_SECRETS": "too-short"},
		"body limit":          {"XENTREE_BODY_LIMIT": "lots"},
		"log level":           {"XENTREE_LOG_LEVEL": "loud"},
		"log format":          {"XENTREE_LOG_FORMAT": "xml"},
		"trusted proxy":       {"XENTREE_TRUSTED_PROXIES": "10.0.0.0/8,not-an-ip"},
		"statement timeout":   {"XENTREE_DB_STATEMENT_TIMEOUT": "soon"},
		"negative lock limit": {"XENTREE_DB_LOCK_TIMEOUT": "-1s"},
		"access token TTL":    {"XENTREE_ACCESS_TOKEN_TTL": "10s"},
		"session TTL":         {"XENTREE_SESSION_TTL": "forever"},
		"access over session": {"XENTREE_ACCESS_TOKEN_TTL": "2h", "XENTREE_SESSION_TTL": "1h"},
		"shutdown timeout":    {"XENTREE_SHUTDOWN_TIMEOUT": "0s"},
		"debug address":       {"XENTREE_DEBUG_ADDR": "nowhere"},
		"migration URL":       {"XENTREE_MIGRATION_DATABASE_URL": "postgres://127.0.0.1:1/never"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			t.Setenv("XENTREE_DATABASE_URL", filepath.Join(dir, "data", "xentree.db"))
			t.Setenv("XENTREE_ADDR", "127.0.0.1:0")
			for k, v := range env {
				t.Setenv(k, v)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			if err := run(ctx, nil, quietLog(), nil); err == nil {
				t.Fatalf("%v accepted", env)
			}
			if _, err := os.Stat(filepath.Join(dir, "data")); !os.IsNotExist(err) {
				t.Fatalf("the data folder was created before the settings were checked (%v)", err)
			}
		})
	}
	t.Run("PostgreSQL without a secret", func(t *testing.T) {
		t.Setenv("XENTREE_DATABASE_URL", "postgres://127.0.0.1:1/never")
		t.Setenv("XENTREE_JWT_SECRET", "")
		err := run(context.Background(), nil, quietLog(), nil)
		if err == nil || !strings.Contains(err.Error(), "XENTREE_JWT_SECRET") {
			t.Fatalf("want the missing secret reported before any connection, got %v", err)
		}
	})
}

// TestListeningLineAfterBind: "listening" is logged only once the port is bound.
func TestListeningLineAfterBind(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	t.Setenv("XENTREE_DATABASE_URL", filepath.Join(t.TempDir(), "x.db"))
	t.Setenv("XENTREE_ADDR", busy.Addr().String())
	var logs bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := run(ctx, nil, slog.New(slog.NewTextHandler(&logs, nil)), nil); err == nil {
		t.Fatal("served on a port that is taken")
	}
	if strings.Contains(logs.String(), "listening") {
		t.Fatalf("listening line logged although the port was taken:\n%s", logs.String())
	}
}

// TestLoadConfig: defaults, every setting read, and each bad value reported (all of them at
// once, so an operator fixes the environment in one go).
func TestLoadConfig(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	secret := "a-secret-that-is-long-enough-0123456789"
	c, err := loadConfig("migrate", env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.addr != ":8080" || c.dbURL != defaultDatabase || c.logLevel != slog.LevelInfo || c.logFormat != "json" ||
		c.db != store.DefaultOptions() || c.server.JWTSecret != "" || c.secretFile != "" {
		t.Fatalf("defaults: %+v", c)
	}
	c, err = loadConfig("serve", env(map[string]string{
		"XENTREE_ADDR": "127.0.0.1:9000", "XENTREE_DATABASE_URL": "postgres://db/x", "XENTREE_JWT_SECRET": secret,
		"XENTREE_JWT_PREVIOUS_SECRETS": secret + "-old, " + secret + "-older", "XENTREE_TRUSTED_PROXIES": "10.0.0.0/8",
		"XENTREE_CORS_ORIGINS": "https://app.example.com", "XENTREE_BODY_LIMIT": "2M",
		"XENTREE_LOGIN_ACCOUNT_LIMIT": "5", "XENTREE_LOGIN_IP_LIMIT": "50", "XENTREE_REGISTER_IP_LIMIT": "7",
		"XENTREE_REFRESH_IP_LIMIT": "300", "XENTREE_LOG_LEVEL": "debug", "XENTREE_LOG_FORMAT": "text",
		"XENTREE_DB_STATEMENT_TIMEOUT": "5s", "XENTREE_DB_LOCK_TIMEOUT": "0", "XENTREE_DB_IDLE_TX_TIMEOUT": "2m",
		"XENTREE_ACCESS_TOKEN_TTL": "5m", "XENTREE_SESSION_TTL": "168h",
	}))
	if err != nil {
		t.Fatal(err)
	}
	s := c.server
	if c.addr != "127.0.0.1:9000" || s.JWTSecret != secret || len(s.JWTPreviousSecrets) != 2 || s.TrustedProxies[0] != "10.0.0.0/8" ||
		s.CORSOrigins[0] != "https://app.example.com" || s.BodyLimit != "2M" || s.LoginAccountLimit != 5 || s.LoginIPLimit != 50 ||
		s.RegisterIPLimit != 7 || s.RefreshIPLimit != 300 || s.AccessTTL != 5*time.Minute || s.SessionTTL != 7*24*time.Hour || c.logLevel != slog.LevelDebug || c.logFormat != "text" ||
		c.db != (store.Options{StatementTimeout: 5 * time.Second, IdleInTxTimeout: 2 * time.Minute}) {
		t.Fatalf("settings: %+v", c)
	}
	_, err = loadConfig("serve", env(map[string]string{"XENTREE_LOG_LEVEL": "loud", "XENTREE_LOGIN_IP_LIMIT": "0", "XENTREE_ADDR": "nowhere"}))
	for _, want := range []string{"XENTREE_LOG_LEVEL", "XENTREE_LOGIN_IP_LIMIT", "XENTREE_ADDR"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s not reported: %v", want, err)
		}
	}
	// Only serving needs the secret: the operator commands run without it on PostgreSQL.
	if _, err := loadConfig("migrate", env(map[string]string{"XENTREE_DATABASE_URL": "postgres://db/x"})); err != nil {
		t.Fatal(err)
	}
}

// TestSecondSignalExitsAtOnce: the first signal drains (an in-flight request keeps the server
// up); a second one cuts the remaining requests and returns at once.
func TestSecondSignalExitsAtOnce(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	t.Setenv("XENTREE_DATABASE_URL", filepath.Join(t.TempDir(), "x.db"))
	t.Setenv("XENTREE_ADDR", addr)
	t.Setenv("XENTREE_JWT_SECRET", "a-secret-that-is-long-enough-0123456789")
	ctx, drain := context.WithCancel(context.Background())
	force := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- run(ctx, force, quietLog(), nil) }()
	var conn net.Conn
	for i := 0; i < 100; i++ {
		if conn, err = net.Dial("tcp", addr); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if conn == nil {
		t.Fatalf("server not up: %v", err)
	}
	defer conn.Close()
	// A request whose body never finishes keeps the drain waiting.
	fmt.Fprintf(conn, "POST /api/auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"user")
	time.Sleep(100 * time.Millisecond)
	drain()
	select {
	case err := <-done:
		t.Fatalf("returned during the drain: %v", err)
	case <-time.After(500 * time.Millisecond):
	}
	close(force)
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "second signal") {
			t.Fatalf("after the second signal: %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("still draining after the second signal")
	}
	_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := conn.Read(make([]byte, 1)); err == nil {
		t.Fatal("the in-flight connection was not cut")
	}
}
