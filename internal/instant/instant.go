// Package instant holds the rules for times clients send: the range every layer can hold
// (Go's JSON encoding, PostgreSQL, SQLite), and bounded future instants such as expiries.
// Pure functions: callers pass "now".
package instant

import (
	"errors"
	"time"
)

// Min and Max bound the instants the API accepts and stores: years 1 to 9999 in UTC. Go
// cannot encode a later year as JSON, SQLite rows holding one cannot be scanned back, and
// PostgreSQL has no year 0.
var (
	Min = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	Max = time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)
)

// Expiry outcomes.
var (
	ErrNotFuture = errors.New("not in the future")
	ErrTooFar    = errors.New("too far in the future")
)

// Representable reports whether t lies within [Min, Max] (its zone does not matter: the
// instant does, since it is stored in UTC).
func Representable(t time.Time) bool {
	return !t.Before(Min) && !t.After(Max)
}

// Clamp returns t moved into [Min, Max]; for instants derived from client input (the end of
// a local day 9999-12-31 west of UTC, say) before they reach a query.
func Clamp(t time.Time) time.Time {
	switch {
	case t.Before(Min):
		return Min
	case t.After(Max):
		return Max
	}
	return t
}

// Expiry checks an expiry a client asks for: after now and at most maxYears calendar years
// after it.
func Expiry(t, now time.Time, maxYears int) error {
	switch {
	case !t.After(now):
		return ErrNotFuture
	case t.After(now.AddDate(maxYears, 0, 0)):
		return ErrTooFar
	}
	return nil
}
