package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestClassify: database timeouts and unreachable databases are marked, keeping the cause;
// everything else passes through unchanged.
func TestClassify(t *testing.T) {
	pg := func(code string) error { return fmt.Errorf("query: %w", &pgconn.PgError{Code: code}) }
	for name, c := range map[string]struct {
		err  error
		want error // nil: unchanged
	}{
		"statement_timeout":        {pg("57014"), ErrTimeout},
		"lock_timeout":             {pg("55P03"), ErrTimeout},
		"idle in transaction":      {pg("25P03"), ErrTimeout},
		"deadline":                 {fmt.Errorf("x: %w", context.DeadlineExceeded), ErrTimeout},
		"sqlite busy":              {sqliteErr(5), ErrTimeout},
		"sqlite busy snapshot":     {sqliteErr(517), ErrTimeout},
		"admin shutdown":           {pg("57P01"), ErrUnavailable},
		"cannot connect now":       {pg("57P03"), ErrUnavailable},
		"too many connections":     {pg("53300"), ErrUnavailable},
		"connection failure":       {pg("08006"), ErrUnavailable},
		"dial refused":             {&pgconn.ConnectError{}, ErrUnavailable},
		"network":                  {&net.OpError{Op: "read", Err: errors.New("reset")}, ErrUnavailable},
		"connection cut mid-reply": {io.ErrUnexpectedEOF, ErrUnavailable},
		"canceled":                 {fmt.Errorf("x: %w", context.Canceled), nil},
		"other PostgreSQL error":   {pg("42P01"), nil},
		"sqlite other":             {sqliteErr(1), nil},
		"closed pool":              {errors.New("sql: database is closed"), nil},
		"not found":                {ErrNotFound, nil},
	} {
		got := classify(c.err)
		if c.want == nil {
			if got != c.err {
				t.Errorf("%s: changed to %v", name, got)
			}
			continue
		}
		if !errors.Is(got, c.want) || !errors.Is(got, c.err) {
			t.Errorf("%s: %v, want %v wrapping the cause", name, got, c.want)
		}
		if again := classify(got); again != got {
			t.Errorf("%s: classified twice", name)
		}
	}
}

type sqliteErr int

func (e sqliteErr) Error() string { return "sqlite error" }
func (e sqliteErr) Code() int     { return int(e) }
