package main

import (
	"runtime"
	"runtime/debug"
)

// Memory limit defaults (GOMEMLIMIT when it is not set): a base for the server's own heap
// (spec, catalogue, pools, buffers) plus room for the argon2id hashes that may run at once
// (one per core, 19 MiB each at the production cost) and as much again for the finished ones
// GOGC=100 lets wait for collection, so a login burst never drives the heap into the limit
// and the collector into overdrive (with 20 MiB per core, 64 parallel logins ran at 0.69× the
// raw hash rate; with 40, 0.86×).
const (
	memoryBase    = 64 << 20
	memoryPerHash = 40 << 20
)

// defaultMemoryLimit is the soft limit set when GOMEMLIMIT is unset, for procs cores.
func defaultMemoryLimit(procs int) int64 { return memoryBase + int64(max(1, procs))*memoryPerHash }

// setMemoryLimit applies defaultMemoryLimit unless GOMEMLIMIT is set (the runtime has already
// read it then), and returns the limit in force. Below the limit GOGC paces collection as
// usual; near it the collector runs earlier and the scavenger hands memory back sooner, which
// bounds the resident set after bursts.
func setMemoryLimit(getenv func(string) string) int64 {
	if getenv("GOMEMLIMIT") != "" {
		return debug.SetMemoryLimit(-1)
	}
	limit := defaultMemoryLimit(runtime.GOMAXPROCS(0))
	debug.SetMemoryLimit(limit)
	return limit
}
