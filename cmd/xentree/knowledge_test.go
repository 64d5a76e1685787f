package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestFreshCloneSearchesLibrary: the binary with no configuration loads the study library at
// start, so a new user's first knowledge search already finds the notes; a second start on
// the same database (nothing changed) serves the same documents.
func TestFreshCloneSearchesLibrary(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XENTREE_DATABASE_URL", filepath.Join(dir, "data", "xentree.db"))
	for _, k := range []string{"XENTREE_JWT_SECRET", "XENTREE_OPENAI_API_KEY", "XENTREE_OPENAI_BASE_URL", "XENTREE_ANTHROPIC_API_KEY"} {
		t.Setenv(k, "")
	}
	var first []string
	for round := range 2 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		t.Setenv("XENTREE_ADDR", addr)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- run(ctx, nil, quietLog(), nil) }()
		base := "http://" + addr
		do := func(req *http.Request) *http.Response {
			t.Helper()
			for range 100 { // the server may still be starting
				if res, err := http.DefaultClient.Do(req); err == nil {
					return res
				}
				time.Sleep(50 * time.Millisecond)
			}
			t.Fatalf("%s %s: no answer", req.Method, req.URL)
			return nil
		}
		post := func(path, ctype, body, token string, v any) {
			t.Helper()
			req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
			req.Header.Set("Content-Type", ctype)
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			res := do(req)
			defer res.Body.Close()
			if res.StatusCode/100 != 2 {
				t.Fatalf("%s: %d", path, res.StatusCode)
			}
			if v != nil {
				if err := json.NewDecoder(res.Body).Decode(v); err != nil {
					t.Fatal(err)
				}
			}
		}
		name := []string{"ada", "grace"}[round]
		post("/api/auth/register", "application/json", `{"username":"`+name+`","email":"`+name+`@example.com","password":"correct-horse"}`, "", nil)
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		post("/api/auth/login", "application/x-www-form-urlencoded", url.Values{"username": {name}, "password": {"correct-horse"}}.Encode(), "", &tok)
		var hits []struct{ Title, Heading string }
		post("/api/knowledge/search", "application/json", `{"query":"second conditional","limit":3}`, tok.AccessToken, &hits)
		if len(hits) == 0 || hits[0].Title != "Conditionals" {
			t.Fatalf("round %d: %+v", round, hits)
		}
		var docs []struct{ ID string }
		req, _ := http.NewRequest("GET", base+"/api/knowledge/documents?include_library=true&limit=200", nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		res := do(req)
		_ = json.NewDecoder(res.Body).Decode(&docs)
		res.Body.Close()
		var ids []string
		for _, d := range docs {
			ids = append(ids, d.ID)
		}
		if len(ids) != 19 || round == 1 && strings.Join(ids, ",") != strings.Join(first, ",") {
			t.Fatalf("round %d: library %v (first start %v)", round, ids, first)
		}
		first = ids
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	}
}
