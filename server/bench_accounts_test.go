package server_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"

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

// BenchmarkLoginRatio: 64 concurrent clients logging in with the production argon2id cost,
// against the raw hash rate at the same parameters and the same concurrency cap (a handler
// that only hashes, one slot per core, as the server's semaphore), interleaved in one run
// (-benchtime 1x). ratio-req/s is logins/s over hashes/s (target ≥ 0.95).
func BenchmarkLoginRatio(b *testing.B) {
	for _, kind := range benchKinds() {
		b.Run(kind, func(b *testing.B) {
			h := benchHarness(b, kind, func(c *server.Config) {
				c.PasswordParams = nil
				c.LoginAccountLimit, c.LoginIPLimit = 1<<30, 1<<30
			})
			users := make([]*user, 64)
			forms := make([]string, 64)
			for i := range users {
				users[i] = h.newUser("benchlr")
				forms[i] = url.Values{"username": {users[i].Username}, "password": {users[i].Password}}.Encode()
			}
			p := server.OWASPArgon
			slots := make(chan struct{}, runtime.GOMAXPROCS(0))
			salt := make([]byte, 16)
			rawHash := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				slots <- struct{}{}
				argon2.IDKey([]byte("correct-horse-benchlr"), salt, p.Time, p.Memory, p.Threads, 32)
				<-slots
				w.WriteHeader(http.StatusOK)
			})
			var next atomic.Int64
			req := func() *http.Request {
				req := httptest.NewRequest("POST", "/api/auth/login", strings.NewReader(forms[next.Add(1)%64]))
				req.RemoteAddr = h.remoteAddr
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				return req
			}
			apps := []loadApp{{"raw-hash", rawHash}, {"login", h.e}}
			for b.Loop() {
				reportComparison(b, apps, compareLoad(b, 64, 4, 2*time.Second, http.StatusOK, req, apps...))
			}
		})
	}
}

// BenchmarkGetMe: GET /api/auth/me through the whole server (request id, access log, JWT, the
// session check in the database, validation, JSON) beside its baseline in the same run: Echo +
// the same JWT verification + one GORM primary-key read of the user (baselineMe), at 8 and 64
// concurrent clients. The server logs as in production (JSON lines, here to io.Discard).
func BenchmarkGetMe(b *testing.B) {
	for _, kind := range benchKinds() {
		b.Run(kind, func(b *testing.B) {
			h := benchHarness(b, kind)
			u := h.newUser("benchme")
			pool, _ := h.store.DB(context.Background()).DB()
			apps := []struct {
				name string
				e    http.Handler
				pool *sql.DB
			}{{"baseline", baselineMe(b, h), nil}, {"server", h.e, pool}}
			for _, clients := range []int{8, 64} {
				for _, app := range apps {
					b.Run(fmt.Sprintf("%s/c%d", app.name, clients), func(b *testing.B) {
						b.ReportAllocs()
						s := startLoad(b, app.pool)
						serveParallel(b, app.e, clients, http.StatusOK, func() *http.Request {
							req := httptest.NewRequest("GET", "/api/auth/me", nil)
							req.RemoteAddr = h.remoteAddr
							req.Header.Set("Authorization", "Bearer "+u.Access)
							return req
						})
						s.report(b, "req")
					})
				}
			}
		})
	}
}

// BenchmarkGetMeRatio: the server's GET /api/auth/me against baselineMe in the same run,
// interleaved in rounds (-benchtime 1x; the loop is timed by rounds, not b.N): ratio-req/s is
// the server's throughput over the baseline's, ratio-cpu the baseline's CPU per request over
// the server's (≥ 1 is at parity).
func BenchmarkGetMeRatio(b *testing.B) {
	for _, kind := range benchKinds() {
		b.Run(kind, func(b *testing.B) {
			h := benchHarness(b, kind)
			u := h.newUser("benchme")
			apps := []loadApp{{"baseline", baselineMe(b, h)}, {"server", h.e}}
			req := func() *http.Request {
				req := httptest.NewRequest("GET", "/api/auth/me", nil)
				req.RemoteAddr = h.remoteAddr
				req.Header.Set("Authorization", "Bearer "+u.Access)
				return req
			}
			for _, clients := range []int{8, 64} {
				b.Run(fmt.Sprintf("c%d", clients), func(b *testing.B) {
					for b.Loop() {
						reportComparison(b, apps, compareLoad(b, clients, 8, 500*time.Millisecond, http.StatusOK, req, apps...))
					}
				})
			}
		})
	}
}

// benchHarness is a harness whose server logs as in production (JSON at info level) to
// io.Discard: the access log costs what it costs, without a test buffer growing in memory.
func benchHarness(b *testing.B, kind string, opts ...option) *harness {
	h := newHarness(b, kind, opts...)
	h.log = slog.New(slog.NewJSONHandler(io.Discard, nil))
	h.restart(opts...)
	return h
}
