package googleoauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// google is an httptest server speaking Google's token, userinfo and revoke protocol.
type google struct {
	*httptest.Server
	mu       sync.Mutex
	token    func(w http.ResponseWriter, form url.Values)
	forms    []url.Values
	revoked  []string
	userinfo func(w http.ResponseWriter, r *http.Request)
}

// set changes the server's behaviour between requests.
func (g *google) set(f func()) {
	g.mu.Lock()
	defer g.mu.Unlock()
	f()
}

func (g *google) tokenRequests() []url.Values {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.forms)
}

func newGoogle(t *testing.T) *google {
	g := &google{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		g.mu.Lock()
		g.forms = append(g.forms, r.PostForm)
		reply := g.token
		g.mu.Unlock()
		reply(w, r.PostForm)
	})
	mux.HandleFunc("GET /userinfo", func(w http.ResponseWriter, r *http.Request) {
		g.mu.Lock()
		reply := g.userinfo
		g.mu.Unlock()
		reply(w, r)
	})
	mux.HandleFunc("POST /revoke", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		if r.PostForm.Get("token") == "gone" {
			http.Error(w, `{"error":"invalid_token"}`, http.StatusBadRequest)
			return
		}
		g.mu.Lock()
		g.revoked = append(g.revoked, r.PostForm.Get("token"))
		g.mu.Unlock()
	})
	g.Server = httptest.NewServer(mux)
	t.Cleanup(g.Close)
	return g
}

func (g *google) client(timeout time.Duration) *Client {
	return New(Config{ClientID: "cid", ClientSecret: "csecret", RedirectURL: "https://api.example/cb",
		AuthURL: g.URL + "/auth", TokenURL: g.URL + "/token", UserInfoURL: g.URL + "/userinfo", RevokeURL: g.URL + "/revoke",
		Timeout: timeout})
}

func jsonReply(status int, body string) func(http.ResponseWriter, url.Values) {
	return func(w http.ResponseWriter, _ url.Values) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}
}

func TestAuthCodeURL(t *testing.T) {
	g := newGoogle(t)
	verifier := oauth2.GenerateVerifier()
	u, err := url.Parse(g.client(0).AuthCodeURL("the-state", verifier))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	want := map[string]string{
		"client_id": "cid", "redirect_uri": "https://api.example/cb", "response_type": "code", "state": "the-state",
		"access_type": "offline", "prompt": "consent", "code_challenge_method": "S256",
		"code_challenge": oauth2.S256ChallengeFromVerifier(verifier),
		"scope":          "openid email https://www.googleapis.com/auth/calendar.events",
	}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, q.Get(k), v)
		}
	}
	if u.Path != "/auth" || q.Has("code_verifier") || strings.Contains(u.String(), verifier) {
		t.Fatalf("consent URL %s", u)
	}
	if got := New(Config{}).AuthCodeURL("s", verifier); !strings.HasPrefix(got, DefaultAuthURL+"?") {
		t.Fatalf("default endpoint: %s", got)
	}
}

func TestExchange(t *testing.T) {
	g := newGoogle(t)
	c := g.client(0)
	g.set(func() {
		g.token = jsonReply(200, `{"access_token":"at-1","refresh_token":"rt-1","token_type":"Bearer","expires_in":3599,"scope":"email https://www.googleapis.com/auth/calendar.events openid"}`)
	})
	tok, err := c.Exchange(context.Background(), "code-1", "verifier-1")
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != "at-1" || tok.RefreshToken != "rt-1" || tok.ExpiresIn != 3599 {
		t.Fatalf("token %+v", tok)
	}
	form := g.tokenRequests()[0]
	for k, v := range map[string]string{"grant_type": "authorization_code", "code": "code-1", "code_verifier": "verifier-1",
		"client_id": "cid", "client_secret": "csecret", "redirect_uri": "https://api.example/cb"} {
		if form.Get(k) != v {
			t.Errorf("token request %s = %q, want %q", k, form.Get(k), v)
		}
	}
	if got := c.GrantedScopes(tok); !slices.Equal(got, []string{"email", "https://www.googleapis.com/auth/calendar.events", "openid"}) {
		t.Fatalf("granted %v", got)
	}
	g.set(func() { g.token = jsonReply(200, `{"access_token":"at-2","token_type":"Bearer"}`) })
	tok, _ = c.Exchange(context.Background(), "code-2", "v")
	if !slices.Equal(c.GrantedScopes(tok), Scopes) {
		t.Fatal("without a scope field the requested scopes are granted")
	}
}

func TestGrantsCalendar(t *testing.T) {
	for _, tc := range []struct {
		granted []string
		want    bool
	}{
		{Scopes, true},
		{[]string{"openid", CalendarFullScope}, true},
		{[]string{"openid", "email"}, false},
		{[]string{"https://www.googleapis.com/auth/calendar.readonly"}, false},
		{nil, false},
	} {
		if got := GrantsCalendar(tc.granted); got != tc.want {
			t.Errorf("GrantsCalendar(%v) = %v", tc.granted, got)
		}
	}
}

func TestExchangeErrors(t *testing.T) {
	g := newGoogle(t)
	for _, tc := range []struct {
		name     string
		reply    func(http.ResponseWriter, url.Values)
		rejected bool
	}{
		{"invalid_grant", jsonReply(400, `{"error":"invalid_grant","error_description":"Bad Request"}`), true},
		{"invalid_client", jsonReply(401, `{"error":"invalid_client"}`), false},
		{"server error", jsonReply(500, `oops`), false},
		{"throttled", jsonReply(429, `{"error":"rate_limit_exceeded"}`), false},
		{"no access token", jsonReply(200, `{"token_type":"Bearer"}`), false},
		{"timeout", func(w http.ResponseWriter, _ url.Values) { time.Sleep(300 * time.Millisecond) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g.set(func() { g.forms, g.token = nil, tc.reply })
			_, err := g.client(100*time.Millisecond).Exchange(context.Background(), "code", "verifier")
			if err == nil || errors.Is(err, ErrCodeRejected) != tc.rejected {
				t.Fatalf("err %v", err)
			}
			if n := len(g.tokenRequests()); n != 1 {
				t.Fatalf("%d token requests: a code must be sent once", n)
			}
		})
	}
}

func TestEmail(t *testing.T) {
	g := newGoogle(t)
	c := g.client(100 * time.Millisecond)
	g.set(func() {
		g.userinfo = func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer at-1" {
				http.Error(w, "{}", http.StatusUnauthorized)
				return
			}
			fmt.Fprint(w, `{"sub":"1","email":"ada@gmail.com","email_verified":true}`)
		}
	})
	if email, err := c.Email(context.Background(), "at-1"); err != nil || email != "ada@gmail.com" {
		t.Fatalf("%q %v", email, err)
	}
	if _, err := c.Email(context.Background(), "other"); err == nil {
		t.Fatal("401 accepted")
	}
	g.set(func() { g.userinfo = func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `not json`) } })
	if _, err := c.Email(context.Background(), "at-1"); err == nil {
		t.Fatal("garbage accepted")
	}
	g.set(func() {
		g.userinfo = func(w http.ResponseWriter, r *http.Request) { time.Sleep(300 * time.Millisecond) }
	})
	if _, err := c.Email(context.Background(), "at-1"); err == nil {
		t.Fatal("no timeout")
	}
}

func TestRevoke(t *testing.T) {
	g := newGoogle(t)
	c := g.client(0)
	err := c.Revoke(context.Background(), "rt-1")
	g.mu.Lock()
	revoked := slices.Clone(g.revoked)
	g.mu.Unlock()
	if err != nil || !slices.Equal(revoked, []string{"rt-1"}) {
		t.Fatalf("%v %v", err, revoked)
	}
	if err := c.Revoke(context.Background(), "gone"); err == nil {
		t.Fatal("400 accepted")
	}
}
