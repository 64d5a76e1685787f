package instant

import (
	"testing"
	"time"
)

func TestRepresentable(t *testing.T) {
	for s, want := range map[string]bool{
		"0001-01-01T00:00:00Z":      true,
		"0001-01-01T00:30:00+01:00": false, // year 0 in UTC
		"9999-12-31T23:59:59Z":      true,
		"9999-12-31T23:59:59-14:00": false, // year 10000 in UTC
		"9999-12-31T23:59:59+14:00": true,
		"2030-06-01T12:00:00+02:00": true,
	} {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		if got := Representable(tm); got != want {
			t.Errorf("Representable(%s) = %v", s, got)
		}
		if c := Clamp(tm); !Representable(c) || (want && !c.Equal(tm)) {
			t.Errorf("Clamp(%s) = %v", s, c)
		}
	}
}

func TestExpiry(t *testing.T) {
	now := time.Date(2026, 2, 28, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		t    time.Time
		want error
	}{
		{now, ErrNotFuture},
		{now.Add(-time.Second), ErrNotFuture},
		{now.Add(time.Second), nil},
		{time.Date(2031, 2, 28, 12, 0, 0, 0, time.UTC), nil},
		{time.Date(2031, 2, 28, 12, 0, 1, 0, time.UTC), ErrTooFar},
		{Max, ErrTooFar},
	} {
		if got := Expiry(c.t, now, 5); got != c.want {
			t.Errorf("Expiry(%v) = %v, want %v", c.t, got, c.want)
		}
	}
}
