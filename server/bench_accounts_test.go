package server_test

import (
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/xentree/xentree-api/server"
)

// benchKinds are the databases benchmarks run on (PostgreSQL only when configured).
func benchKinds() []string {
	if os.Getenv(envPostgresURL) == "" {
		return []string{"sqlite"}
	}
	return dbKinds
}

// resetPeakRSS restarts the kernel's peak-RSS counter of this process (Linux clear_refs 5).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSSMiB reads the process's peak resident set (VmHWM) in MiB, or -1 off Linux.
func peakRSSMiB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return float64(kb) / 1024
		}
	}
	return -1
}

// BenchmarkLogin64: 64 concurrent clients logging in with the production argon2id cost
// (OWASP: 19 MiB, t=2). Reports logins/s and the process's peak RSS during the run.
func BenchmarkLogin64(b *testing.B) {
	for _, kind := range benchKinds() {
		b.Run(kind, func(b *testing.B) {
			h := newHarness(b, kind, func(c *server.Config) {
				c.PasswordParams = nil
				c.LoginAccountLimit, c.LoginIPLimit = 1<<30, 1<<30
			})
			users := make([]*user, 64)
			for i := range users {
				users[i] = h.newUser("bench")
			}
			runtime.GC()
			resetPeakRSS()
			base := peakRSSMiB()
			var next atomic.Int64
			b.SetParallelism(max(1, 64/runtime.GOMAXPROCS(0)))
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				u := users[next.Add(1)%64]
				form := url.Values{"username": {u.Username}, "password": {u.Password}}
				for pb.Next() {
					if r := h.raw("POST", "/api/auth/login", form); r.Status != 200 {
						b.Errorf("login: %d %s", r.Status, r.Body)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "logins/s")
			b.ReportMetric(peakRSSMiB(), "peak-RSS-MiB")
			b.ReportMetric(base, "RSS-before-MiB")
		})
	}
}

// BenchmarkGetMe: authenticated reads through the whole stack (JWT, session check, validator).
func BenchmarkGetMe(b *testing.B) {
	for _, kind := range benchKinds() {
		b.Run(kind, func(b *testing.B) {
			h := newHarness(b, kind)
			u := h.newUser("benchme")
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if r := h.raw("GET", "/api/auth/me", nil, u.auth()); r.Status != 200 {
						b.Errorf("me: %d %s", r.Status, r.Body)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}
