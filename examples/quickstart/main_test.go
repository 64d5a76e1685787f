package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xentree/xentree-api/server"
	"github.com/xentree/xentree-api/store"
)

// TestQuickstart runs the example against the real server (SQLite) on a free port, twice:
// the second run finds its user registered.
func TestQuickstart(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "x.db"), log)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	e, err := server.New(server.Config{JWTSecret: strings.Repeat("k", 32), PasswordParams: &server.ArgonParams{Memory: 64, Time: 1, Threads: 1}}, st, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e)
	defer srv.Close()
	for range 2 {
		var out bytes.Buffer
		if err := run(ctx, &out, srv.URL, "ada", "correct-horse-battery"); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "logged in as ada (ada@example.com, plan free)") || !strings.Contains(out.String(), "has 1 member(s)") {
			t.Fatalf("output:\n%s", out.String())
		}
	}
}
