// Package pgtest gives tests a PostgreSQL schema of their own on a shared database.
package pgtest

import (
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Schema creates a fresh schema (its name prefix + a random suffix) on the database of base,
// drops it at the test's cleanup, and returns base with a search_path reaching it. A database
// that cannot be reached fails the test.
func Schema(t testing.TB, base, prefix string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("PostgreSQL URL %q: %v", base, err)
	}
	admin, err := gorm.Open(postgres.Open(base), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatalf("PostgreSQL unreachable at %s: %v", base, err)
	}
	schema := prefix + strings.ReplaceAll(uuid.NewString(), "-", "")
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		t.Fatalf("PostgreSQL unreachable at %s: %v", base, err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		if db, err := admin.DB(); err == nil {
			_ = db.Close()
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
