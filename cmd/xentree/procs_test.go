package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/xentree/xentree-api/internal/pgtest"
	"github.com/xentree/xentree-api/store"
)

// The process-level tests (replicas, shutdown, database faults, crash durability) run the
// server as child processes: the test binary itself, re-executed with envChild set, runs main()
// exactly as the built binary does (same flags, signals, exit codes), with nothing to build.
const envChild = "XENTREE_TEST_RUN_SERVER"

// Environment of the PostgreSQL parts, shared with the server package's harness.
const (
	envPostgresURL     = "XENTREE_TEST_DATABASE_URL"
	envRequirePostgres = "XENTREE_TEST_REQUIRE_POSTGRES"
)

// procSecret signs the child servers' tokens (PostgreSQL requires one, replicas share it).
const procSecret = "process-test-secret-0123456789-abcdefghij"

func TestMain(m *testing.M) {
	if os.Getenv(envChild) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// noteSkip appends what was skipped to the file named by XENTREE_TEST_SKIPS, which make test
// lists as NOT RUN at the end.
func noteSkip(what, why string) {
	if path := os.Getenv("XENTREE_TEST_SKIPS"); path != "" {
		if f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
			_, _ = f.WriteString(what + ": " + why + "\n")
			_ = f.Close()
		}
	}
}

// proc is one server process started by a test.
type proc struct {
	t    testing.TB
	cmd  *exec.Cmd
	base string // http://127.0.0.1:port
	addr string

	mu     sync.Mutex
	log    bytes.Buffer // the child's stderr (JSON log lines)
	exited chan struct{}
	err    error // Wait's result, once exited is closed
}

// freeAddr returns a 127.0.0.1 address with a port that was free a moment ago.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startServer runs the server with env (on top of a clean environment: only PATH and HOME are
// inherited, so no XENTREE_* of the developer leaks in) and waits until it logs "listening".
// The process is killed at cleanup if the test has not stopped it.
func startServer(t testing.TB, env map[string]string) *proc {
	t.Helper()
	p := &proc{t: t, addr: freeAddr(t), exited: make(chan struct{})}
	p.base = "http://" + p.addr
	full := map[string]string{
		envChild: "1", "PATH": os.Getenv("PATH"), "HOME": os.Getenv("HOME"), "TMPDIR": os.Getenv("TMPDIR"),
		"XENTREE_ADDR": p.addr, "XENTREE_LOG_LEVEL": "warn", "XENTREE_REGISTER_IP_LIMIT": "100000",
		"XENTREE_LOGIN_IP_LIMIT": "100000", "XENTREE_REFRESH_IP_LIMIT": "100000", "XENTREE_CHAT_RATE_LIMIT": "100000",
		"XENTREE_LOGIN_ACCOUNT_LIMIT": "1000",
	}
	for k, v := range env {
		full[k] = v
	}
	if full["XENTREE_LOG_LEVEL"] == "warn" {
		full["XENTREE_LOG_LEVEL"] = "info" // "listening" and "shutting down" are info lines
	}
	p.cmd = exec.Command(os.Args[0], "serve")
	dieWithParent(p.cmd)
	for k, v := range full {
		p.cmd.Env = append(p.cmd.Env, k+"="+v)
	}
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	listening := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		once := sync.Once{}
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.log.WriteString(line + "\n")
			p.mu.Unlock()
			if strings.Contains(line, `"msg":"listening"`) {
				once.Do(func() { close(listening) })
			}
		}
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("server %s log:\n%s", p.addr, tail(p.logText(), 4000))
		}
	})
	select {
	case <-listening:
	case <-p.exited:
		t.Fatalf("server exited before listening: %v\n%s", p.err, p.logText())
	case <-time.After(90 * time.Second):
		t.Fatalf("server not listening after 90 s\n%s", p.logText())
	}
	return p
}

func (p *proc) logText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// signal sends sig to the server process.
func (p *proc) signal(sig syscall.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
}

// waitExit waits up to d for the process to exit and returns its error (nil: exit status 0).
func (p *proc) waitExit(d time.Duration) (error, bool) {
	select { // exited first: with d = 0 both cases of the select below would be ready
	case <-p.exited:
		return p.err, true
	default:
	}
	select {
	case <-p.exited:
		return p.err, true
	case <-time.After(d):
		return nil, false
	}
}

// waitLog waits up to d for a log line containing s.
func (p *proc) waitLog(s string, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if strings.Contains(p.logText(), s) {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

// httpClient is shared by the process tests: enough idle connections for their concurrency.
var httpClient = &http.Client{
	Timeout:   60 * time.Second,
	Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 0, IdleConnTimeout: 30 * time.Second},
}

// reply is one HTTP answer as the tests look at it.
type reply struct {
	Status int
	Header http.Header
	Body   []byte
	Err    error // transport error (no answer)
}

// errorCode is detail.error of an Error body ("" when the body is not one).
func (r reply) errorCode() string {
	var e struct {
		Detail struct {
			Error   string `json:"error"`
			Message string `json:"message"`
		} `json:"detail"`
	}
	if json.Unmarshal(r.Body, &e) != nil || e.Detail.Message == "" {
		return ""
	}
	return e.Detail.Error
}

func (r reply) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %.300s: %v", r.Body, err)
	}
}

func (r reply) String() string {
	if r.Err != nil {
		return "transport error: " + r.Err.Error()
	}
	return fmt.Sprintf("%d %.300s", r.Status, r.Body)
}

// call sends one request to base: a url.Values body is a form, any other non-nil body JSON.
func call(ctx context.Context, base, method, path, token string, body any) reply {
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	default:
		j, _ := json.Marshal(b)
		rd, ctype = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, rd)
	if err != nil {
		return reply{Err: err}
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := httpClient.Do(req)
	if err != nil {
		return reply{Err: err}
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return reply{Status: res.StatusCode, Header: res.Header, Body: b, Err: err}
}

// must calls and fails the test unless the answer has status want.
func must(t testing.TB, base, method, path, token string, body any, want int) reply {
	t.Helper()
	r := call(context.Background(), base, method, path, token, body)
	if r.Err != nil || r.Status != want {
		t.Fatalf("%s %s: %s, want %d", method, path, r, want)
	}
	return r
}

// account is a registered, logged-in user.
type account struct {
	ID, Username, Password string
	Access, Refresh        string
}

// register creates username through base and logs it in.
func register(t testing.TB, base, username string) *account {
	t.Helper()
	a := &account{Username: username, Password: "correct-horse-" + username}
	var u struct{ ID string }
	must(t, base, "POST", "/api/auth/register", "", map[string]string{
		"username": username, "email": username + "@example.com", "password": a.Password}, 201).decode(t, &u)
	a.ID = u.ID
	login(t, base, a)
	return a
}

func login(t testing.TB, base string, a *account) {
	t.Helper()
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	must(t, base, "POST", "/api/auth/login", "", url.Values{"username": {a.Username}, "password": {a.Password}}, 200).decode(t, &tok)
	a.Access, a.Refresh = tok.AccessToken, tok.RefreshToken
}

// sharedPostgres makes a schema of its own on the shared PostgreSQL of XENTREE_TEST_DATABASE_URL
// (dropped at cleanup) and returns a URL reaching it through search_path. Without the URL the
// test is skipped, or fails when XENTREE_TEST_REQUIRE_POSTGRES=1.
func sharedPostgres(t testing.TB) string {
	t.Helper()
	base := os.Getenv(envPostgresURL)
	if base == "" {
		if os.Getenv(envRequirePostgres) == "1" {
			t.Fatalf("%s is required but not set", envPostgresURL)
		}
		noteSkip("PostgreSQL process tests", "set "+envPostgresURL)
		t.Skipf("PostgreSQL part skipped: set %s (CI sets it)", envPostgresURL)
	}
	return pgtest.Schema(t, base, "p_")
}

// openStore opens the database a server uses (a SQLite file or a PostgreSQL URL) to check
// what it holds; closed at cleanup.
func openStore(t testing.TB, dbURL string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), dbURL, quietLog())
	if err != nil {
		t.Fatalf("open %s: %v", dbURL, err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}
