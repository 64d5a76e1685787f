package main

import (
	"runtime"
	"runtime/debug"
	"testing"
)

// TestMemoryLimitDefault: with GOMEMLIMIT unset the limit is the documented default for the
// cores available; with it set the runtime's value stays.
func TestMemoryLimitDefault(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	if got, want := setMemoryLimit(func(string) string { return "" }), int64(64<<20+runtime.GOMAXPROCS(0)*40<<20); got != want || debug.SetMemoryLimit(-1) != want {
		t.Fatalf("default limit %d, want %d", got, want)
	}
	debug.SetMemoryLimit(123 << 20)
	if got := setMemoryLimit(func(k string) string { return map[string]string{"GOMEMLIMIT": "123MiB"}[k] }); got != 123<<20 {
		t.Fatalf("GOMEMLIMIT set: limit %d", got)
	}
}
