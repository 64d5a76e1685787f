package server_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Environment read by the client tests.
const (
	// envRequireClients "1" (CI): a missing node, SDK install or browser fails the client
	// tests instead of skipping them.
	envRequireClients = "XENTREE_TEST_REQUIRE_CLIENTS"
	// envSkips names a file where skipped test groups are noted, so `make test` can say so.
	envSkips = "XENTREE_TEST_SKIPS"
)

// repoRoot is the repository root (tests run in server/).
const repoRoot = ".."

// skipLoudly skips t (or fails it when CI requires the group) and notes why in the skips file.
func skipLoudly(t testing.TB, require, what, why string) {
	t.Helper()
	if os.Getenv(require) == "1" {
		t.Fatalf("%s cannot run: %s (%s=1)", what, why, require)
	}
	noteSkip(what, why)
	t.Skipf("%s SKIPPED: %s", what, why)
}

// noteSkip adds a line to the skips file `make test` prints at the end.
func noteSkip(what, why string) {
	if path := os.Getenv(envSkips); path != "" {
		if f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
			_, _ = f.WriteString(what + ": " + why + "\n")
			_ = f.Close()
		}
	}
}

// listen serves the harness on a real port of 127.0.0.1, for clients outside the process
// (node, a browser). Responses are still checked against openapi.yaml (buffered, so not for
// streams).
func (h *harness) listen() string {
	h.t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, _ := h.Do(r)
		for k, v := range res.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(res.StatusCode)
		_, _ = io.Copy(w, res.Body)
	}))
	h.t.Cleanup(srv.Close)
	return srv.URL
}

// run runs a command of the repository with a deadline, failing t with its output.
func run(t testing.TB, timeout time.Duration, dir string, env []string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

// TestTypeScriptSDK type-checks sdk/typescript with tsc --strict (tsconfig.json) and runs its
// smoke journey (register, login, me, organization, members, refresh, logout) with node
// against the real server on each database.
func TestTypeScriptSDK(t *testing.T) {
	dir, _ := filepath.Abs(filepath.Join(repoRoot, "sdk", "typescript"))
	node, err := exec.LookPath("node")
	if err != nil {
		skipLoudly(t, envRequireClients, "TypeScript SDK tests", "node is not installed")
	}
	tsc := filepath.Join(dir, "node_modules", ".bin", "tsc")
	if _, err := os.Stat(tsc); err != nil {
		skipLoudly(t, envRequireClients, "TypeScript SDK tests", "sdk/typescript/node_modules is missing (make sdk-typescript)")
	}
	run(t, time.Minute, dir, nil, tsc, "-p", ".")
	eachDB(t, func(t *testing.T, h *harness) {
		out := run(t, time.Minute, dir, []string{"XENTREE_URL=" + h.listen()}, node, "dist/smoke.js")
		if !strings.Contains(out, "ok me after logout is 401") {
			t.Fatalf("smoke journey did not finish:\n%s", out)
		}
	})
}
