package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xentree/xentree-api/internal/secretbox"
	"github.com/xentree/xentree-api/server"
)

func TestLiveSettings(t *testing.T) {
	t.Setenv("XENTREE_LIVE_QUOTA_FREE", "0")
	t.Setenv("XENTREE_LIVE_QUOTA_PRO", "36000")
	t.Setenv("XENTREE_LIVE_QUOTA_ENTERPRISE", "100h")
	t.Setenv("XENTREE_LIVE_HEARTBEAT_INTERVAL", "15s")
	t.Setenv("XENTREE_LIVE_IDLE_TIMEOUT", "60")
	var cfg server.Config
	if err := liveSettings(os.Getenv, &cfg); err != nil {
		t.Fatal(err)
	}
	want := map[string]time.Duration{"free": 0, "pro": 10 * time.Hour, "enterprise": 100 * time.Hour}
	for plan, d := range want {
		if got, ok := cfg.LiveQuotas[plan]; !ok || got != d {
			t.Errorf("%s quota %v, want %v", plan, got, d)
		}
	}
	if cfg.LiveHeartbeatInterval != 15*time.Second || cfg.LiveIdleTimeout != time.Minute {
		t.Fatalf("timings %v %v", cfg.LiveHeartbeatInterval, cfg.LiveIdleTimeout)
	}
	for key, bad := range map[string]string{
		"XENTREE_LIVE_QUOTA_FREE": "-5", "XENTREE_LIVE_QUOTA_PRO": "lots", "XENTREE_LIVE_QUOTA_ENTERPRISE": "1.5s",
		"XENTREE_LIVE_IDLE_TIMEOUT": "0",
	} {
		t.Run(key, func(t *testing.T) {
			t.Setenv(key, bad)
			if err := liveSettings(os.Getenv, &server.Config{}); err == nil {
				t.Fatalf("%s=%s accepted", key, bad)
			}
		})
	}
}

// TestEncryptionKey: the embedded default generates a key once, keeps it beside the database
// (mode 0600, written only when serving starts) and reuses it; a damaged key file is an error,
// never silently replaced (the sealed tokens would be lost). PostgreSQL without a key has none.
func TestEncryptionKey(t *testing.T) {
	db := filepath.Join(t.TempDir(), "data", "xentree.db")
	if err := os.MkdirAll(filepath.Dir(db), 0o700); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"XENTREE_DATABASE_URL": db}
	getenv := func(k string) string { return env[k] }
	key := func() ([]byte, error) {
		c, err := loadConfig("serve", getenv)
		if err != nil {
			return nil, err
		}
		return c.server.EncryptionKey, c.persistSecret(quietLog())
	}
	k1, err := key()
	if err != nil || len(k1) != secretbox.KeySize {
		t.Fatalf("generated key: %v", err)
	}
	path := filepath.Join(filepath.Dir(db), "encryption-key")
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	if k2, err := key(); err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("key not reused: %v", err)
	}
	if err := os.WriteFile(path, []byte("damaged"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := key(); err == nil {
		t.Fatal("damaged key file accepted")
	}
	env = map[string]string{"XENTREE_DATABASE_URL": "postgres://db/x", "XENTREE_JWT_SECRET": strings.Repeat("s", 40)}
	if k, err := key(); err != nil || k != nil {
		t.Fatalf("PostgreSQL without a key: %v %v", k, err)
	}
	env["XENTREE_ENCRYPTION_KEY"] = "c2hvcnQ="
	if _, err := key(); err == nil {
		t.Fatal("short XENTREE_ENCRYPTION_KEY accepted")
	}
	env["XENTREE_ENCRYPTION_KEY"] = secretbox.NewKey()
	if k, err := key(); err != nil || len(k) != secretbox.KeySize {
		t.Fatalf("configured key: %v", err)
	}
}

// TestGoogleSettingsChecked: half a Google configuration refuses to start.
func TestGoogleSettingsChecked(t *testing.T) {
	t.Setenv("XENTREE_DATABASE_URL", filepath.Join(t.TempDir(), "x.db"))
	t.Setenv("XENTREE_JWT_SECRET", "a-secret-that-is-long-enough-0123456789")
	t.Setenv("XENTREE_GOOGLE_CLIENT_ID", "id.apps.googleusercontent.com")
	if err := run(context.Background(), nil, quietLog(), nil); err == nil {
		t.Fatal("Google without a client secret and redirect URL accepted")
	}
}
