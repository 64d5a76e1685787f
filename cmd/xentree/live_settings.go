package main

// Settings of Xentree Live and of the integrations (README, "Configuration").

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/xentree/xentree-api/internal/secretbox"
	"github.com/xentree/xentree-api/server"
	"github.com/xentree/xentree-api/store"
)

// liveSettings reads the Live quotas per plan and the heartbeat and idle timings.
func liveSettings(cfg *server.Config) error {
	for _, plan := range []string{"free", "pro", "enterprise"} {
		key := "XENTREE_LIVE_QUOTA_" + strings.ToUpper(plan)
		d, ok, err := secondsSetting(key)
		if err != nil {
			return err
		}
		if ok {
			if cfg.LiveQuotas == nil {
				cfg.LiveQuotas = map[string]time.Duration{}
			}
			cfg.LiveQuotas[plan] = d
		}
	}
	for key, dst := range map[string]*time.Duration{
		"XENTREE_LIVE_HEARTBEAT_INTERVAL": &cfg.LiveHeartbeatInterval, "XENTREE_LIVE_IDLE_TIMEOUT": &cfg.LiveIdleTimeout,
	} {
		d, ok, err := secondsSetting(key)
		if err != nil {
			return err
		}
		if ok {
			if d == 0 {
				return fmt.Errorf("%s must be positive", key)
			}
			*dst = d
		}
	}
	return nil
}

// secondsSetting reads a duration given as whole seconds ("1800") or a Go duration ("30m").
func secondsSetting(key string) (time.Duration, bool, error) {
	v := strings.TrimSpace(os.Getenv(key))
	if v == "" {
		return 0, false, nil
	}
	d, err := time.ParseDuration(v)
	if n, nerr := strconv.ParseInt(v, 10, 64); nerr == nil {
		d, err = time.Duration(n)*time.Second, nil
	}
	if err != nil || d < 0 || d%time.Second != 0 {
		return 0, false, fmt.Errorf("%s must be whole seconds (1800) or a duration (30m), got %q", key, v)
	}
	return d, true, nil
}

// integrationSettings reads the Google OAuth client, the app URL and the encryption key.
func integrationSettings(log *slog.Logger, cfg *server.Config, dbURL string) error {
	cfg.Google.ClientID = os.Getenv("XENTREE_GOOGLE_CLIENT_ID")
	cfg.Google.ClientSecret = os.Getenv("XENTREE_GOOGLE_CLIENT_SECRET")
	cfg.Google.RedirectURL = os.Getenv("XENTREE_GOOGLE_REDIRECT_URL")
	cfg.Google.AuthURL = os.Getenv("XENTREE_GOOGLE_AUTH_URL")
	cfg.Google.TokenURL = os.Getenv("XENTREE_GOOGLE_TOKEN_URL")
	cfg.Google.UserInfoURL = os.Getenv("XENTREE_GOOGLE_USERINFO_URL")
	cfg.Google.RevokeURL = os.Getenv("XENTREE_GOOGLE_REVOKE_URL")
	cfg.AppURL = os.Getenv("XENTREE_APP_URL")
	key, err := encryptionKey(log, dbURL)
	if err != nil {
		return err
	}
	cfg.EncryptionKey = key
	for i, k := range list(os.Getenv("XENTREE_ENCRYPTION_PREVIOUS_KEYS")) {
		prev, err := secretbox.ParseKey(k)
		if err != nil {
			return fmt.Errorf("XENTREE_ENCRYPTION_PREVIOUS_KEYS entry %d: %w", i+1, err)
		}
		cfg.EncryptionPreviousKeys = append(cfg.EncryptionPreviousKeys, prev)
	}
	return nil
}

// encryptionKey returns XENTREE_ENCRYPTION_KEY (base64 of 32 bytes). Without it the embedded
// (SQLite) default generates one and keeps it beside the JWT secret; with PostgreSQL there is
// none (every replica must share the key, so it is configured explicitly), and the server
// refuses to start only if Google Calendar, which needs it, is configured.
func encryptionKey(log *slog.Logger, dbURL string) ([]byte, error) {
	if v := os.Getenv("XENTREE_ENCRYPTION_KEY"); v != "" {
		k, err := secretbox.ParseKey(v)
		if err != nil {
			return nil, fmt.Errorf("XENTREE_ENCRYPTION_KEY: %w", err)
		}
		return k, nil
	}
	if store.IsPostgres(dbURL) {
		return nil, nil
	}
	path := filepath.Join(filepath.Dir(dbURL), "encryption-key")
	if b, err := os.ReadFile(path); err == nil {
		k, err := secretbox.ParseKey(string(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return k, nil
	} else if !os.IsNotExist(err) {
		return nil, err
	}
	encoded := secretbox.NewKey()
	if err := os.WriteFile(path, []byte(encoded+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("persist generated encryption key: %w", err)
	}
	log.Warn("XENTREE_ENCRYPTION_KEY not set: generated one and stored it in the data folder", "path", path)
	return secretbox.ParseKey(encoded)
}
