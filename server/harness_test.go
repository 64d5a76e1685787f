package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/labstack/echo/v4"

	xentree "github.com/xentree/xentree-api"
	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/internal/clock"
	"github.com/xentree/xentree-api/internal/pgtest"
	"github.com/xentree/xentree-api/server"
	"github.com/xentree/xentree-api/store"
)

// Environment read by the harness.
const (
	envPostgresURL     = "XENTREE_TEST_DATABASE_URL"     // postgres:// URL of a scratch database
	envRequirePostgres = "XENTREE_TEST_REQUIRE_POSTGRES" // "1": a missing/unreachable PostgreSQL fails
)

// testSecret signs access tokens in tests.
const testSecret = "test-secret-0123456789-abcdefghijklmnop"

var (
	specOnce   sync.Once
	testSpec   *openapi3.T
	testRouter routers.Router
)

func loadTestSpec(t testing.TB) (*openapi3.T, routers.Router) {
	specOnce.Do(func() {
		s, err := server.LoadSpec(xentree.OpenAPISpec)
		if err != nil {
			panic(err)
		}
		r, err := gorillamux.NewRouter(s)
		if err != nil {
			panic(err)
		}
		testSpec, testRouter = s, r
	})
	return testSpec, testRouter
}

// dbKinds are the databases every API test runs on.
var dbKinds = []string{"sqlite", "postgres"}

// eachDB runs fn as a subtest on a fresh database of each kind. PostgreSQL runs when
// XENTREE_TEST_DATABASE_URL is set; with XENTREE_TEST_REQUIRE_POSTGRES=1 (CI) its absence fails.
func eachDB(t *testing.T, fn func(t *testing.T, h *harness), opts ...option) {
	t.Helper()
	for _, kind := range dbKinds {
		t.Run(kind, func(t *testing.T) {
			fn(t, newHarness(t, kind, opts...))
			if !t.Failed() && !t.Skipped() {
				dbPassed.Add(kind)
			}
		})
	}
}

// dbPassed counts the API tests that passed on each database, for the run report.
var dbPassed = &kindCounter{n: map[string]int{}}

type kindCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (k *kindCounter) Add(kind string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.n[kind]++
}

// TestMain writes "sqlite=N postgres=M" (tests passed per database) to the file named by
// XENTREE_TEST_REPORT, so CI can prove the PostgreSQL tests ran.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		code = checkErrorExamples()
	}
	if path := os.Getenv("XENTREE_TEST_REPORT"); path != "" {
		dbPassed.mu.Lock()
		line := fmt.Sprintf("sqlite=%d postgres=%d\n", dbPassed.n["sqlite"], dbPassed.n["postgres"])
		dbPassed.mu.Unlock()
		if err := os.WriteFile(path, []byte(line), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

// option adjusts the server configuration of one harness.
type option func(*server.Config)

// harness is the real application (validator, auth, handlers, store) on an isolated database.
// Every response it serves is validated against openapi.yaml.
type harness struct {
	t     testing.TB
	kind  string
	dbURL string
	e     *echo.Echo
	store *store.Store
	// clock is the application's time source (shared by replicas); tests move it with Set,
	// Advance or Freeze.
	clock  *clock.Manual
	client *api.ClientWithResponses
	logs   *syncBuffer
	log    *slog.Logger
	// remoteAddr is the client address of requests that do not set one.
	remoteAddr string
	// serverFaultsExpected lets a test that breaks the database see its 500s.
	serverFaultsExpected bool
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// cheapArgon keeps the suite fast; production uses server.OWASPArgon (tested separately).
var cheapArgon = server.ArgonParams{Memory: 64, Time: 1, Threads: 1}

func newHarness(t testing.TB, kind string, opts ...option) *harness {
	t.Helper()
	ctx := context.Background()
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	dbURL := databaseURL(t, kind)
	st, err := store.Open(ctx, dbURL, log)
	if err != nil {
		t.Fatalf("open %s: %v", kind, err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", kind, err)
	}
	return newApp(t, kind, dbURL, st, clock.NewManual(), logs, log, opts...)
}

func newApp(t testing.TB, kind, dbURL string, st *store.Store, clk *clock.Manual, logs *syncBuffer, log *slog.Logger, opts ...option) *harness {
	st.UseClock(clk)
	h := &harness{t: t, kind: kind, dbURL: dbURL, store: st, clock: clk, logs: logs, log: log, remoteAddr: "192.0.2.10:40000"}
	h.restart(opts...)
	var err error
	h.client, err = api.NewClientWithResponses("http://xentree.test", api.WithHTTPClient(h))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// replica is another server on the same database with a connection pool of its own, as a
// second process or host would be: nothing but the database is shared.
func (h *harness) replica(opts ...option) *harness {
	h.t.Helper()
	st, err := store.Open(context.Background(), h.dbURL, h.log)
	if err != nil {
		h.t.Fatalf("replica: %v", err)
	}
	h.t.Cleanup(func() { _ = st.Close() })
	return newApp(h.t, h.kind, h.dbURL, st, h.clock, h.logs, h.log, opts...)
}

// restart replaces the application with one built from the harness defaults plus opts, on
// the same database (another replica, or the same server after a configuration change).
func (h *harness) restart(opts ...option) {
	h.t.Helper()
	params := cheapArgon
	// Tests register many users from one address; TestRegisterThrottle sets a real limit.
	cfg := server.Config{JWTSecret: testSecret, PasswordParams: &params, RegisterIPLimit: 1 << 30}
	for _, o := range opts {
		o(&cfg)
	}
	e, err := server.New(cfg, h.store, h.log)
	if err != nil {
		h.t.Fatalf("server: %v", err)
	}
	h.e = e
}

// databaseURL makes a fresh database: a SQLite file in a temp dir, or a PostgreSQL schema of
// its own (dropped at cleanup) reached through search_path.
func databaseURL(t testing.TB, kind string) string {
	t.Helper()
	if kind == "sqlite" {
		return filepath.Join(t.TempDir(), "xentree.db")
	}
	base := os.Getenv(envPostgresURL)
	if base == "" {
		if os.Getenv(envRequirePostgres) == "1" {
			t.Fatalf("%s is required but not set", envPostgresURL)
		}
		noteSkip("PostgreSQL tests", "set "+envPostgresURL+" or run make test-postgres")
		t.Skipf("PostgreSQL tests skipped: set %s (CI sets it)", envPostgresURL)
	}
	return pgtest.Schema(t, base, "t_")
}

// Do serves req in process (it is the generated client's HTTP doer) and checks the response
// against openapi.yaml: status documented, body matching its schema, X-Request-ID present.
func (h *harness) Do(req *http.Request) (*http.Response, error) {
	if req.RemoteAddr == "" {
		req.RemoteAddr = h.remoteAddr
	}
	if req.Body == nil {
		req.Body = http.NoBody // as net/http's server always sets it
	}
	var reqBody []byte
	if req.Body != http.NoBody {
		reqBody, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	rec := httptest.NewRecorder()
	h.e.ServeHTTP(rec, req)
	res := rec.Result()
	body := rec.Body.Bytes()
	h.checkResponse(req, res, body)
	res.Body = io.NopCloser(bytes.NewReader(body))
	return res, nil
}

func (h *harness) checkResponse(req *http.Request, res *http.Response, body []byte) {
	h.t.Helper()
	if res.Header.Get(echo.HeaderXRequestID) == "" {
		h.t.Errorf("%s %s: response without X-Request-ID", req.Method, req.URL.Path)
	}
	if req.Method == http.MethodHead {
		h.checkHead(req, res, body)
		return
	}
	if !strings.HasPrefix(req.URL.Path, "/api/") || req.Method == http.MethodOptions { // CORS preflight: not API
		return
	}
	_, router := loadTestSpec(h.t)
	route, params, err := router.FindRoute(req)
	if err != nil {
		// Not a documented route: the answer must still be the Error body.
		var e api.Error
		if res.StatusCode != 404 && res.StatusCode != 405 || json.Unmarshal(body, &e) != nil || e.Detail.Error == "" {
			h.t.Errorf("%s %s: undocumented route answered %d %s", req.Method, req.URL.Path, res.StatusCode, body)
		}
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 res.StatusCode,
		Header:                 res.Header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	// `default` covers 5xx only: every 4xx and 2xx a route gives must be listed explicitly.
	if res.StatusCode < 500 && route.Operation.Responses.Status(res.StatusCode) == nil {
		h.t.Errorf("%s %s → %d: status not documented for %s", req.Method, req.URL.Path, res.StatusCode, route.Operation.OperationID)
	}
	observed.add(route.Operation.OperationID, res.StatusCode, body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		h.t.Errorf("%s %s → %d violates openapi.yaml: %v\nbody: %s", req.Method, req.URL.Path, res.StatusCode, err, body)
	}
	if res.StatusCode >= 500 && !h.serverFaultsExpected &&
		!(res.StatusCode == 503 && bytes.Contains(body, []byte(`"not_configured"`))) { // a feature this server is not set up for
		h.t.Errorf("%s %s → %d: %s\nserver log:\n%s", req.Method, req.URL.Path, res.StatusCode, body, lastLines(h.logs.String(), 5))
	}
}

// resp is a raw response for tests that send hand-made requests.
type resp struct {
	Status int
	Header http.Header
	Body   []byte
}

// errorBody decodes the Error body (failing the test when it is not one).
func (r resp) errorBody(t testing.TB) api.ErrorDetail {
	t.Helper()
	var e api.Error
	if err := json.Unmarshal(r.Body, &e); err != nil || e.Detail.Error == "" {
		t.Fatalf("not an Error body (%d): %s", r.Status, r.Body)
	}
	return e.Detail
}

func (r resp) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %d %s: %v", r.Status, r.Body, err)
	}
}

// header is one request header for raw.
type header struct{ k, v string }

func bearer(token string) header { return header{"Authorization", "Bearer " + token} }
func apiKey(key string) header   { return header{"X-API-Key", key} }

// raw sends method path with body (JSON-encoded unless it is a string or []byte).
func (h *harness) raw(method, path string, body any, headers ...header) resp {
	h.t.Helper()
	var rd io.Reader
	ctype := "application/json"
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	case url.Values:
		rd, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, path, rd)
	req.RemoteAddr = ""
	if rd != nil {
		req.Header.Set("Content-Type", ctype)
	}
	for _, hd := range headers {
		req.Header.Set(hd.k, hd.v)
	}
	res, _ := h.Do(req)
	b, _ := io.ReadAll(res.Body)
	return resp{Status: res.StatusCode, Header: res.Header, Body: b}
}

// expect fails the test unless r has status want.
func (r resp) expect(t testing.TB, want int) resp {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status %d, want %d: %s", r.Status, want, r.Body)
	}
	return r
}

// user is a registered account with a live session.
type user struct {
	ID       string
	Username string
	Email    string
	Password string
	Access   string
	Refresh  string
}

func (u *user) auth() header { return bearer(u.Access) }

var userSeq struct {
	sync.Mutex
	n int
}

// newUser registers and logs in a fresh user.
func (h *harness) newUser(prefix string) *user {
	h.t.Helper()
	userSeq.Lock()
	userSeq.n++
	n := userSeq.n
	userSeq.Unlock()
	u := &user{Username: fmt.Sprintf("%s_%d", prefix, n), Password: "correct-horse-" + prefix}
	u.Email = u.Username + "@example.com"
	var p api.UserProfile
	h.raw("POST", "/api/auth/register", map[string]any{
		"username": u.Username, "email": u.Email, "password": u.Password, "full_name": "Test " + prefix,
	}).expect(h.t, 201).decode(h.t, &p)
	u.ID = p.Id.String()
	tok := h.login(u.Username, u.Password)
	u.Access, u.Refresh = tok.AccessToken, tok.RefreshToken
	return u
}

// login logs in and returns the token pair (failing the test on anything but 200).
func (h *harness) login(username, password string) api.TokenResponse {
	h.t.Helper()
	var tok api.TokenResponse
	h.raw("POST", "/api/auth/login", url.Values{"username": {username}, "password": {password}}).
		expect(h.t, 200).decode(h.t, &tok)
	return tok
}

// superAdmin promotes u to super_admin, as the operator command does.
func (h *harness) superAdmin(u *user) {
	h.t.Helper()
	if err := h.store.SetUserRole(context.Background(), u.Username, store.RoleSuperAdmin); err != nil {
		h.t.Fatal(err)
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
