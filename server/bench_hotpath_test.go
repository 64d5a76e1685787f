package server_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	openapi_types "github.com/oapi-codegen/runtime/types"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	api "github.com/xentree/xentree-api/gen"
)

// cpuTime is the CPU (user + system) this process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loadStats are what a load benchmark reports beside ns/op: throughput, this process's CPU per
// request (the database's own CPU is not counted), its peak RSS and the pool's churn.
type loadStats struct {
	cpu0  time.Duration
	pool  *sql.DB
	conn0 sql.DBStats
}

func startLoad(b *testing.B, pool *sql.DB) *loadStats {
	runtime.GC()
	resetPeakRSS()
	s := &loadStats{pool: pool}
	if pool != nil {
		s.conn0 = pool.Stats()
	}
	b.ResetTimer()
	s.cpu0 = cpuTime()
	return s
}

func (s *loadStats) report(b *testing.B, unit string) {
	cpu := cpuTime() - s.cpu0
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), unit+"/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/"+unit)
	b.ReportMetric(peakRSSMiB(), "peak-RSS-MiB")
	if s.pool != nil {
		st := s.pool.Stats()
		b.ReportMetric(float64(st.MaxIdleClosed+st.MaxIdleTimeClosed+st.MaxLifetimeClosed-
			s.conn0.MaxIdleClosed-s.conn0.MaxIdleTimeClosed-s.conn0.MaxLifetimeClosed), "conns-closed")
	}
}

// serveParallel sends req (built fresh per call) to e from clients concurrent goroutines until
// b.N requests are answered, each expected to be want.
func serveParallel(b *testing.B, e http.Handler, clients int, want int, req func() *http.Request) {
	b.SetParallelism(max(1, clients/runtime.GOMAXPROCS(0)))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req())
			if rec.Code != want {
				b.Errorf("status %d: %s", rec.Code, rec.Body)
				return
			}
		}
	})
}

// baselineDB is a GORM handle of its own on the harness's database, sized like the server's
// pool with every connection kept idle (no churn): the best a plain GORM read can do.
func baselineDB(b *testing.B, h *harness) *gorm.DB {
	b.Helper()
	if h.kind != "postgres" {
		return h.store.DB(context.Background())
	}
	db, err := gorm.Open(postgres.Open(h.dbURL), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		b.Fatal(err)
	}
	sqlDB, _ := db.DB()
	sqlDB.SetMaxOpenConns(20)
	sqlDB.SetMaxIdleConns(20)
	b.Cleanup(func() { _ = sqlDB.Close() })
	return db
}

// baselineClaims are the claims the baseline verifies: the server's access tokens.
type baselineClaims struct {
	jwt.RegisteredClaims
	Sid string `json:"sid"`
	Typ string `json:"typ"`
}

// baselineAuth is the same JWT verification the server does (HS256, issuer, audience, expiry
// required, issued-at, leeway), as Echo middleware putting the subject on the context.
func baselineAuth(h *harness) echo.MiddlewareFunc {
	parser := jwt.NewParser(
		jwt.WithTimeFunc(h.clock.Now),
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuer("xentree"),
		jwt.WithAudience("xentree-api"),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(5*time.Second),
	)
	secret := []byte(testSecret)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			raw, ok := strings.CutPrefix(c.Request().Header.Get("Authorization"), "Bearer ")
			if !ok {
				return echo.ErrUnauthorized
			}
			var claims baselineClaims
			if _, err := parser.ParseWithClaims(raw, &claims, func(*jwt.Token) (any, error) { return secret, nil }); err != nil || claims.Typ != "access" {
				return echo.ErrUnauthorized
			}
			c.Set("sub", claims.Subject)
			return next(c)
		}
	}
}

// baselineUser is the users row as a plain GORM model.
type baselineUser struct {
	ID, Username, Email, Role, Timezone, Language, Plan string
	FullName, AvatarURL, LiveNickname                   *string
	PublicProfile                                       bool
	CreatedAt, UpdatedAt                                time.Time
}

func (baselineUser) TableName() string { return "users" }

// baselineMe is Echo + the JWT verification + one GORM primary-key read of the user, encoded
// as the same profile: the reference GET /api/auth/me is measured against.
func baselineMe(b *testing.B, h *harness) *echo.Echo {
	db := baselineDB(b, h)
	e := echo.New()
	e.Use(baselineAuth(h))
	e.GET("/api/auth/me", func(c echo.Context) error {
		var u baselineUser
		if err := db.WithContext(c.Request().Context()).Take(&u, "id = ?", c.Get("sub")).Error; err != nil {
			return err
		}
		return c.JSON(http.StatusOK, api.UserProfile{
			Id: openapi_types.UUID(uuid.MustParse(u.ID)), Username: u.Username, Email: openapi_types.Email(u.Email),
			Role: api.PlatformRole(u.Role), Timezone: u.Timezone, Language: u.Language, Plan: api.Plan(u.Plan),
			PublicProfile: u.PublicProfile, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt,
		})
	})
	return e
}

// loadApp is one side of a same-run comparison.
type loadApp struct {
	name string
	e    http.Handler
}

// loadResult is what one app did over all of its rounds.
type loadResult struct {
	n    int64
	wall time.Duration
	cpu  time.Duration
}

func (r loadResult) rps() float64       { return float64(r.n) / r.wall.Seconds() }
func (r loadResult) cpuPerReq() float64 { return float64(r.cpu.Microseconds()) / float64(r.n) }

// compareLoad drives each app in turn with clients concurrent goroutines for d, rounds times
// (interleaved, so load from elsewhere on a shared machine hits both alike), and returns
// their totals.
func compareLoad(b *testing.B, clients, rounds int, d time.Duration, want int, req func() *http.Request, apps ...loadApp) []loadResult {
	b.Helper()
	out := make([]loadResult, len(apps))
	for range rounds {
		for i, app := range apps {
			var (
				wg    sync.WaitGroup
				count atomic.Int64
				stop  atomic.Bool
			)
			runtime.GC()
			start, cpu0 := time.Now(), cpuTime()
			for range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for !stop.Load() {
						rec := httptest.NewRecorder()
						app.e.ServeHTTP(rec, req())
						if rec.Code != want {
							b.Errorf("%s: status %d: %s", app.name, rec.Code, rec.Body)
							stop.Store(true)
							return
						}
						count.Add(1)
					}
				}()
			}
			time.Sleep(d)
			stop.Store(true)
			wg.Wait()
			out[i].n += count.Load()
			out[i].wall += time.Since(start)
			out[i].cpu += cpuTime() - cpu0
		}
	}
	return out
}

// reportComparison reports each app's throughput and CPU per request, and the ratios of the
// last app (the server) to the first (its baseline).
func reportComparison(b *testing.B, apps []loadApp, res []loadResult) {
	for i, app := range apps {
		b.ReportMetric(res[i].rps(), app.name+"-req/s")
		b.ReportMetric(res[i].cpuPerReq(), app.name+"-cpu-µs/req")
	}
	last := len(res) - 1
	b.ReportMetric(res[last].rps()/res[0].rps(), "ratio-req/s")
	b.ReportMetric(res[0].cpuPerReq()/res[last].cpuPerReq(), "ratio-cpu")
}
