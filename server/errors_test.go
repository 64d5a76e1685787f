package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestDatabaseFaultsAre503: database timeouts and unreachable databases map to 503 with
// Retry-After (clients retry); other faults stay 500.
func TestDatabaseFaultsAre503(t *testing.T) {
	pg := func(code string) error { return fmt.Errorf("query: %w", &pgconn.PgError{Code: code}) }
	for name, c := range map[string]struct {
		err  error
		code string
	}{
		"statement_timeout":        {pg("57014"), "database_timeout"},
		"lock_timeout":             {pg("55P03"), "database_timeout"},
		"idle in transaction":      {pg("25P03"), "database_timeout"},
		"request deadline":         {fmt.Errorf("x: %w", context.DeadlineExceeded), "database_timeout"},
		"sqlite busy":              {sqliteErr(5), "database_timeout"},
		"sqlite busy snapshot":     {sqliteErr(517), "database_timeout"},
		"admin shutdown":           {pg("57P01"), "database_unavailable"},
		"cannot connect now":       {pg("57P03"), "database_unavailable"},
		"too many connections":     {pg("53300"), "database_unavailable"},
		"connection failure":       {pg("08006"), "database_unavailable"},
		"dial refused":             {&pgconn.ConnectError{}, "database_unavailable"},
		"network":                  {fmt.Errorf("read: %w", &net.OpError{Op: "read", Err: errors.New("reset")}), "database_unavailable"},
		"connection cut mid-reply": {fmt.Errorf("receive: %w", io.ErrUnexpectedEOF), "database_unavailable"},
		"other PostgreSQL error":   {pg("42P01"), "internal_error"},
		"sqlite other":             {sqliteErr(1), "internal_error"},
		"closed pool":              {errors.New("sql: database is closed"), "internal_error"},
	} {
		e := toAPIError(c.err)
		if e.Code != c.code {
			t.Errorf("%s: %d %s, want %s", name, e.Status, e.Code, c.code)
		}
		if c.code != "internal_error" && (e.Status != 503 || e.RetryAfter < 1) {
			t.Errorf("%s: status %d, Retry-After %d", name, e.Status, e.RetryAfter)
		}
	}
	if e := toAPIError(fmt.Errorf("x: %w", context.Canceled)); e.Status != 499 {
		t.Errorf("canceled: %d", e.Status)
	}
}

type sqliteErr int

func (e sqliteErr) Error() string { return "sqlite error" }
func (e sqliteErr) Code() int     { return int(e) }
