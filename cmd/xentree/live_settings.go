package main

// Settings of Xentree Live and of the integrations (README, "Configuration").

import (
	"errors"
	"fmt"
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
func liveSettings(getenv func(string) string, cfg *server.Config) error {
	var errs []error
	for _, plan := range []string{"free", "pro", "enterprise"} {
		key := "XENTREE_LIVE_QUOTA_" + strings.ToUpper(plan)
		d, ok, err := secondsSetting(getenv, key)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if ok {
			if cfg.LiveQuotas == nil {
				cfg.LiveQuotas = map[string]time.Duration{}
			}
			cfg.LiveQuotas[plan] = d
		}
	}
	errs = append(errs, positiveSeconds(getenv, secondsKey{"XENTREE_LIVE_HEARTBEAT_INTERVAL", &cfg.LiveHeartbeatInterval}, secondsKey{"XENTREE_LIVE_IDLE_TIMEOUT", &cfg.LiveIdleTimeout})...)
	return errors.Join(errs...)
}

// secondsSetting reads a duration given as whole seconds ("1800") or a Go duration ("30m").
// secondsKey is a setting read by positiveSeconds: its key and where it goes.
type secondsKey struct {
	key string
	dst *time.Duration
}

// positiveSeconds reads each setting (secondsSetting) into its destination when set; zero or a
// malformed value is an error naming the key.
func positiveSeconds(getenv func(string) string, keys ...secondsKey) []error {
	var errs []error
	for _, s := range keys {
		d, ok, err := secondsSetting(getenv, s.key)
		switch {
		case err != nil:
			errs = append(errs, err)
		case ok && d == 0:
			errs = append(errs, fmt.Errorf("%s must be positive", s.key))
		case ok:
			*s.dst = d
		}
	}
	return errs
}

func secondsSetting(getenv func(string) string, key string) (time.Duration, bool, error) {
	v := strings.TrimSpace(getenv(key))
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

// integrationSettings reads the Google OAuth client, the app URL and the encryption keys.
func (c *config) integrationSettings(getenv func(string) string) error {
	g := &c.server.Google
	g.ClientID = getenv("XENTREE_GOOGLE_CLIENT_ID")
	g.ClientSecret = getenv("XENTREE_GOOGLE_CLIENT_SECRET")
	g.RedirectURL = getenv("XENTREE_GOOGLE_REDIRECT_URL")
	g.AuthURL = getenv("XENTREE_GOOGLE_AUTH_URL")
	g.TokenURL = getenv("XENTREE_GOOGLE_TOKEN_URL")
	g.UserInfoURL = getenv("XENTREE_GOOGLE_USERINFO_URL")
	g.RevokeURL = getenv("XENTREE_GOOGLE_REVOKE_URL")
	c.server.AppURL = getenv("XENTREE_APP_URL")
	var errs []error
	if err := c.encryptionKey(getenv); err != nil {
		errs = append(errs, err)
	}
	for i, k := range list(getenv("XENTREE_ENCRYPTION_PREVIOUS_KEYS")) {
		prev, err := secretbox.ParseKey(k)
		if err != nil {
			errs = append(errs, fmt.Errorf("XENTREE_ENCRYPTION_PREVIOUS_KEYS entry %d: %w", i+1, err))
			continue
		}
		c.server.EncryptionPreviousKeys = append(c.server.EncryptionPreviousKeys, prev)
	}
	return errors.Join(errs...)
}

// encryptionKey sets XENTREE_ENCRYPTION_KEY (base64 of 32 bytes). Without it the embedded
// (SQLite) default reads the key kept beside the database, or generates one in memory for
// persistGenerated to keep; with PostgreSQL there is none (every replica must share the key,
// so it is configured explicitly), and the server refuses to start only if Google Calendar,
// which needs it, is configured. A damaged key file is an error, never silently replaced: the
// tokens sealed with it would be lost.
func (c *config) encryptionKey(getenv func(string) string) error {
	if v := strings.TrimSpace(getenv("XENTREE_ENCRYPTION_KEY")); v != "" {
		k, err := secretbox.ParseKey(v)
		if err != nil {
			return fmt.Errorf("XENTREE_ENCRYPTION_KEY: %w", err)
		}
		c.server.EncryptionKey = k
		return nil
	}
	if store.IsPostgres(c.dbURL) {
		return nil
	}
	path := filepath.Join(filepath.Dir(c.dbURL), "encryption-key")
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		k, err := secretbox.ParseKey(string(b))
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		c.server.EncryptionKey = k
		return nil
	case !errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("read the generated encryption key: %w", err)
	}
	c.keyEncoded, c.keyFile = secretbox.NewKey(), path
	k, err := secretbox.ParseKey(c.keyEncoded)
	c.server.EncryptionKey = k
	return err
}
