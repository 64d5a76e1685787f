// Package clock is the server's one time source. Production reads the system clock; tests
// install a Manual clock and move it across days, weeks and DST changes. Nothing outside this
// package calls time.Now for application time.
package clock

import (
	"sync"
	"time"
)

// Clock tells the time.
type Clock interface {
	Now() time.Time
}

// System is the real clock.
type System struct{}

// Now is time.Now.
func (System) Now() time.Time { return time.Now() }

// Manual follows the system clock, shifted by an offset the test sets, so time keeps passing
// (timeouts and windows still elapse) while a test places "now" wherever it needs. Freeze stops
// it at one instant. Safe for concurrent use.
type Manual struct {
	mu     sync.RWMutex
	offset time.Duration
	frozen *time.Time
}

// NewManual returns a Manual clock reading the system time.
func NewManual() *Manual { return &Manual{} }

// Now returns the clock's current time.
func (m *Manual) Now() time.Time {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.frozen != nil {
		return *m.frozen
	}
	return time.Now().Add(m.offset)
}

// Set moves the clock to t; it keeps running from there.
func (m *Manual) Set(t time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.frozen != nil {
		m.frozen = &t
		return
	}
	m.offset = time.Until(t)
}

// Freeze stops the clock at t.
func (m *Manual) Freeze(t time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.frozen = &t
}

// Advance moves the clock forward by d (frozen or not).
func (m *Manual) Advance(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.frozen != nil {
		t := m.frozen.Add(d)
		m.frozen = &t
		return
	}
	m.offset += d
}
