package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xentree/xentree-api/store"
)

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestServeEmbeddedDefault: with no configuration but a data folder, the binary migrates,
// generates and persists a JWT secret, serves the docs, spec and health checks, and shuts
// down cleanly when its context ends.
func TestServeEmbeddedDefault(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "data", "xentree.db")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	t.Setenv("XENTREE_DATABASE_URL", db)
	t.Setenv("XENTREE_ADDR", addr)
	t.Setenv("XENTREE_JWT_SECRET", "")

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, quietLog(), nil) }()

	get := func(path string) (int, string) {
		var last error
		for i := 0; i < 100; i++ {
			res, err := http.Get("http://" + addr + path)
			if err == nil {
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				return res.StatusCode, string(b)
			}
			last = err
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("GET %s: %v", path, last)
		return 0, ""
	}
	for path, want := range map[string]string{
		"/healthz": `"ok"`, "/readyz": `"sqlite"`, "/openapi.yaml": "openapi: 3.0.3",
		"/openapi.json": `"openapi":"3.0.3"`, "/docs/": "swagger-ui",
	} {
		if code, body := get(path); code != 200 || !strings.Contains(body, want) {
			t.Errorf("GET %s: %d %.200s", path, code, body)
		}
	}
	secret, err := os.ReadFile(filepath.Join(dir, "data", "jwt-secret"))
	if err != nil || len(strings.TrimSpace(string(secret))) < 32 {
		t.Fatalf("generated secret not persisted: %v", err)
	}
	// A request in flight when the signal arrives still gets its answer: its body is only
	// half sent when shutdown starts.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"username":"late_user","email":"late@example.com","password":"correct-horse"}`
	fmt.Fprintf(conn, "POST /api/auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body[:20])
	time.Sleep(100 * time.Millisecond)
	cancel()
	time.Sleep(200 * time.Millisecond)
	if _, err := conn.Write([]byte(body[20:])); err != nil {
		t.Fatalf("in-flight request cut off: %v", err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("in-flight request: %v %v", res, err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server did not shut down")
	}
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Fatal("still serving after shutdown")
	}
	// A restart reuses the persisted secret.
	again, err := loadConfig("serve", os.Getenv)
	if err != nil || again.server.JWTSecret != strings.TrimSpace(string(secret)) || again.secretFile != "" {
		t.Fatalf("secret not reused: %v", err)
	}
}

// TestAdminCommand: super_admin is granted and removed only by the operator command.
func TestAdminCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.db")
	t.Setenv("XENTREE_DATABASE_URL", db)
	ctx := context.Background()
	if err := run(ctx, nil, quietLog(), []string{"migrate"}); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, db, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	u := &store.User{Username: "Root_User", Email: "root@example.com", PasswordHash: "x"}
	if err := st.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	role := func() string {
		got, err := st.UserByID(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Role
	}
	if err := run(ctx, nil, quietLog(), []string{"admin", "grant-super-admin", "root_user"}); err != nil || role() != store.RoleSuperAdmin {
		t.Fatalf("grant: %v, role %s", err, role())
	}
	if err := run(ctx, nil, quietLog(), []string{"admin", "revoke-super-admin", "ROOT_USER"}); err != nil || role() != store.RoleUser {
		t.Fatalf("revoke: %v, role %s", err, role())
	}
	if err := run(ctx, nil, quietLog(), []string{"admin", "grant-super-admin", "nobody"}); err == nil {
		t.Fatal("granting to an unknown user must fail")
	}
	if err := run(ctx, nil, quietLog(), []string{"admin", "make-god", "root_user"}); err == nil {
		t.Fatal("unknown admin action must fail")
	}
	if err := run(ctx, nil, quietLog(), []string{"frobnicate"}); err == nil {
		t.Fatal("unknown command must fail")
	}
	st.Close()
}
