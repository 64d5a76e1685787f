package clock

import (
	"testing"
	"time"
)

func TestManual(t *testing.T) {
	m := NewManual()
	if d := time.Since(m.Now()); d < 0 || d > time.Second {
		t.Fatalf("a fresh Manual clock should read the system time, off by %v", d)
	}
	at := time.Date(2030, 3, 10, 9, 0, 0, 0, time.UTC)
	m.Set(at)
	if d := m.Now().Sub(at); d < 0 || d > time.Second {
		t.Fatalf("Set: off by %v", d)
	}
	m.Advance(48 * time.Hour)
	if d := m.Now().Sub(at.Add(48 * time.Hour)); d < 0 || d > time.Second {
		t.Fatalf("Advance: off by %v", d)
	}
	m.Freeze(at)
	time.Sleep(2 * time.Millisecond)
	if !m.Now().Equal(at) {
		t.Fatalf("Freeze: %v, want %v", m.Now(), at)
	}
	m.Advance(time.Minute)
	m.Set(at.Add(time.Hour))
	if !m.Now().Equal(at.Add(time.Hour)) {
		t.Fatalf("Set while frozen: %v", m.Now())
	}
}
