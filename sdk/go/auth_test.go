package xentree_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oapi-codegen/nullable"

	xentree "github.com/xentree/xentree-api/sdk/go"
)

// fakeAuth speaks the API's auth wire protocol: form login, single-use rotating refresh
// tokens (a reused one is 401), and /api/auth/me and PATCH /api/auth/me accepting only the
// current access token.
type fakeAuth struct {
	mu        sync.Mutex
	access    string
	refresh   string
	gen       int
	refreshes atomic.Int32
	reused    atomic.Int32
	bodies    []string
}

func (f *fakeAuth) pair() map[string]any {
	f.gen++
	f.access, f.refresh = fmt.Sprintf("access-%d", f.gen), fmt.Sprintf("refresh-%d", f.gen)
	return map[string]any{"access_token": f.access, "refresh_token": f.refresh, "token_type": "bearer", "expires_in": 900}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func unauthorized(w http.ResponseWriter) {
	writeJSON(w, 401, map[string]any{"detail": map[string]string{"error": "invalid_token", "message": "Invalid or expired token"}})
}

func (f *fakeAuth) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch r.URL.Path {
	case "/api/auth/login":
		if r.FormValue("username") != "ada" || r.FormValue("password") != "pw" {
			writeJSON(w, 401, map[string]any{"detail": map[string]string{"error": "invalid_credentials", "message": "Incorrect username or password"}})
			return
		}
		writeJSON(w, 200, f.pair())
	case "/api/auth/refresh":
		f.refreshes.Add(1)
		var body struct {
			RefreshToken string `json:"refresh_token"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		if body.RefreshToken != f.refresh || f.refresh == "" {
			f.reused.Add(1)
			f.refresh = "" // reuse revokes the session
			unauthorized(w)
			return
		}
		writeJSON(w, 200, f.pair())
	case "/api/auth/me":
		if r.Header.Get("Authorization") != "Bearer "+f.access {
			unauthorized(w)
			return
		}
		if r.Method == http.MethodPatch {
			b, _ := io.ReadAll(r.Body)
			f.bodies = append(f.bodies, string(b))
		}
		writeJSON(w, 200, map[string]any{"id": "6f1c2b1e-8d5e-4b7e-9c1a-2f3d4e5f6a7b", "username": "ada", "email": "ada@example.com",
			"role": "user", "plan": "free", "created_at": "2026-01-01T00:00:00Z", "is_active": true})
	default:
		http.NotFound(w, r)
	}
}

// expireAll makes the server forget the access token, as an expiry or a clock skew would.
func (f *fakeAuth) expireAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.access = "gone"
}

func TestSessionRefreshes(t *testing.T) {
	ctx := context.Background()
	fake := &fakeAuth{}
	srv := httptest.NewServer(fake)
	defer srv.Close()

	if _, err := xentree.Login(ctx, srv.URL, "ada", "wrong"); !isAPIError(err, 401, "invalid_credentials") {
		t.Fatalf("wrong password: %v", err)
	}
	s, err := xentree.Login(ctx, srv.URL, "ada", "pw")
	if err != nil {
		t.Fatal(err)
	}
	var refreshed []string
	s.OnRefresh = func(p xentree.TokenResponse) { refreshed = append(refreshed, p.RefreshToken) }
	me, err := s.GetMeWithResponse(ctx)
	if err != nil || me.JSON200 == nil || me.JSON200.Username != "ada" {
		t.Fatalf("me: %v %s", err, me.Body)
	}

	t.Run("401 refreshes once for 20 concurrent calls", func(t *testing.T) {
		fake.expireAll()
		before := fake.refreshes.Load()
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				me, err := s.GetMeWithResponse(ctx)
				if err != nil || me.StatusCode() != 200 {
					t.Errorf("me after expiry: %v %d", err, me.StatusCode())
				}
			})
		}
		wg.Wait()
		if n := fake.refreshes.Load() - before; n != 1 || fake.reused.Load() != 0 {
			t.Fatalf("%d refreshes (%d reused), want exactly 1", n, fake.reused.Load())
		}
	})

	t.Run("a body is sent again after the refresh", func(t *testing.T) {
		fake.expireAll()
		res, err := s.UpdateMeWithResponse(ctx, xentree.UpdateMeJSONRequestBody{FullName: nullable.NewNullableWithValue("Ada L.")})
		if err != nil || res.StatusCode() != 200 {
			t.Fatalf("update: %v %d", err, res.StatusCode())
		}
		if len(fake.bodies) != 1 || fake.bodies[0] != `{"full_name":"Ada L."}` {
			t.Fatalf("server saw %q", fake.bodies)
		}
	})

	t.Run("an expired pair is refreshed before the call", func(t *testing.T) {
		before := fake.refreshes.Load()
		now := time.Now()
		s.Now = func() time.Time { return now.Add(14 * time.Minute) } // within the last tenth of 15 minutes
		if me, err := s.GetMeWithResponse(ctx); err != nil || me.StatusCode() != 200 {
			t.Fatalf("me: %v", err)
		}
		if fake.refreshes.Load()-before != 1 {
			t.Fatal("no refresh before an expiring token")
		}
		s.Now = time.Now
	})

	t.Run("a revoked session answers its 401", func(t *testing.T) {
		fake.mu.Lock()
		fake.refresh = ""
		fake.mu.Unlock()
		fake.expireAll()
		me, err := s.GetMeWithResponse(ctx)
		if err != nil || me.JSON401 == nil {
			t.Fatalf("want the 401 answer: %v %s", err, me.Body)
		}
		if err := xentree.Check(me); !isAPIError(err, 401, "invalid_token") {
			t.Fatalf("Check: %v", err)
		}
	})
	if len(refreshed) != 3 {
		t.Fatalf("OnRefresh saw %d pairs, want 3", len(refreshed))
	}
}

func TestStaticAuth(t *testing.T) {
	seen := make(chan http.Header, 2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- r.Header.Clone()
		writeJSON(w, 200, []any{})
	}))
	defer srv.Close()
	ctx := context.Background()
	c, _ := xentree.NewClientWithResponses(srv.URL, xentree.WithAPIKey("xt_secret"))
	if _, err := c.ListOrganizationsWithResponse(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if h := <-seen; h.Get("X-API-Key") != "xt_secret" || h.Get("Authorization") != "" {
		t.Fatalf("API key headers: %v", h)
	}
	c, _ = xentree.NewClientWithResponses(srv.URL)
	if _, err := c.ListOrganizationsWithResponse(ctx, nil, xentree.BearerAuth("tok")); err != nil {
		t.Fatal(err)
	}
	if h := <-seen; h.Get("Authorization") != "Bearer tok" {
		t.Fatalf("bearer headers: %v", h)
	}
}

func isAPIError(err error, status int, code string) bool {
	var e *xentree.APIError
	return errors.As(err, &e) && e.StatusCode == status && e.Detail.Error == code
}
