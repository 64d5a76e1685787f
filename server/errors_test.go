package server

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/xentree/xentree-api/store"
)

// TestDatabaseFaultsAre503: the store's database faults are 503 with Retry-After (clients
// retry, and keep their tokens); a canceled request is 499; other faults stay 500.
func TestDatabaseFaultsAre503(t *testing.T) {
	for _, c := range []struct {
		err    error
		status int
		code   string
	}{
		{fmt.Errorf("%w: lock", store.ErrTimeout), 503, "database_timeout"},
		{fmt.Errorf("authenticate: %w", fmt.Errorf("%w: eof", store.ErrUnavailable)), 503, "database_unavailable"},
		{fmt.Errorf("x: %w", context.Canceled), 499, "request_canceled"},
		{errors.New("sql: database is closed"), 500, "internal_error"},
	} {
		e := toAPIError(c.err)
		if e.Status != c.status || e.Code != c.code || (c.status == 503 && e.RetryAfter < 1) {
			t.Errorf("%v: %d %s (Retry-After %d), want %d %s", c.err, e.Status, e.Code, e.RetryAfter, c.status, c.code)
		}
	}
}
