package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/xentree/xentree-api/internal/xel"
)

// apiClient calls the running server for the part of the seeding that goes through the API.
type apiClient struct {
	base string
	http http.Client
}

// call sends body (url.Values as a form, anything else as JSON) and decodes a JSON answer
// into out, failing on any status but want.
func (c *apiClient) call(ctx context.Context, method, path, token string, body any, want int, out any) error {
	var rd io.Reader
	ctype := "application/json"
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd, ctype = bytes.NewBufferString(b.Encode()), "application/x-www-form-urlencoded"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	if rd != nil {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	r, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	if r.StatusCode != want {
		return fmt.Errorf("%s %s: %d %s", method, path, r.StatusCode, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// active is what the logged-in users hold for the load: their tokens (as request headers),
// their open Live sessions and the XEL resubmissions they send.
type active struct {
	tokens    []string
	headers   []http.Header
	live      []string
	xelBodies [][]byte
}

// seedAPI does the seeding that must go through the server: logins of the active users, their
// conversations (chats with the offline tutor, stored and indexed), their XEL course in
// progress and an open Live session each.
func seedAPI(ctx context.Context, c *apiClient, p Plan, s *Seeded, text *textGen) (*active, error) {
	cat, err := xel.Builtin()
	if err != nil {
		return nil, err
	}
	mods := cat.Modules()[:p.XELModules]
	a := &active{tokens: make([]string, p.Active), headers: make([]http.Header, p.Active), live: make([]string, p.Active)}
	for _, t := range mods[0].Tasks {
		if !t.Evaluated() {
			b, _ := json.Marshal(map[string]any{"module_id": mods[0].ID, "task_id": t.ID, "answer": t.ExpectedAnswer()})
			a.xelBodies = append(a.xelBodies, b)
		}
	}
	msgs := make([]string, p.Active*p.Conversations*p.ChatsPerConv)
	for i := range msgs {
		msgs[i] = text.sentence(12)
	}
	err = each(p.Active, 8, func(i int) error {
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		if err := c.call(ctx, "POST", "/api/auth/login", "", url.Values{"username": {Username(i)}, "password": {Password}}, 200, &tok); err != nil {
			return err
		}
		a.tokens[i] = tok.AccessToken
		a.headers[i] = http.Header{"Authorization": {"Bearer " + tok.AccessToken}, "Content-Type": {"application/json"}}
		for k := range p.Conversations {
			var conv struct {
				ID string `json:"id"`
			}
			if err := c.call(ctx, "POST", "/api/core/conversations", tok.AccessToken, map[string]any{"title": fmt.Sprintf("Practice %d", k)}, 201, &conv); err != nil {
				return err
			}
			for j := range p.ChatsPerConv {
				m := msgs[(i*p.Conversations+k)*p.ChatsPerConv+j]
				if err := c.call(ctx, "POST", "/api/core/chat", tok.AccessToken, map[string]any{"message": m, "conversation_id": conv.ID}, 200, nil); err != nil {
					return err
				}
			}
		}
		for _, m := range mods {
			for _, t := range m.Tasks {
				if !t.Evaluated() {
					body := map[string]any{"module_id": m.ID, "task_id": t.ID, "answer": t.ExpectedAnswer(), "duration_seconds": 30}
					if err := c.call(ctx, "POST", "/api/xel/submissions", tok.AccessToken, body, 201, nil); err != nil {
						return err
					}
				}
			}
		}
		var ls struct {
			SessionID string `json:"session_id"`
		}
		if err := c.call(ctx, "POST", "/api/live/session/start", tok.AccessToken, map[string]any{"session_type": "voice"}, 201, &ls); err != nil {
			return err
		}
		a.live[i] = ls.SessionID
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// each runs f(0..n-1) on workers goroutines and returns the first error.
func each(n, workers int, f func(int) error) error {
	var next atomic.Int64
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := f(i); err != nil {
					mu.Lock()
					first = errors.Join(first, err)
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// targeter numbers the requests and lets fill write the n-th.
func targeter(fill func(n uint64, t *vegeta.Target)) vegeta.Targeter {
	var next atomic.Uint64
	return func(t *vegeta.Target) error {
		fill(next.Add(1)-1, t)
		return nil
	}
}

// cycle sends method url, cycling through headers and bodies (either may be empty).
func cycle(headers []http.Header, method, url string, bodies [][]byte) vegeta.Targeter {
	return targeter(func(n uint64, t *vegeta.Target) {
		t.Method, t.URL = method, url
		if len(headers) > 0 {
			t.Header = headers[n%uint64(len(headers))]
		}
		if len(bodies) > 0 {
			t.Body = bodies[n%uint64(len(bodies))]
		}
	})
}

type route struct {
	name   string
	rows   int
	target vegeta.Targeter
}

// routes are the hot routes of the issue, in the order they are measured.
func routes(p Plan, base string, s *Seeded, a *active, text *textGen) []route {
	form := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	xpHeaders := a.headers[:p.XPUsers]
	queries := text.queries(64)
	searchBodies := make([][]byte, len(queries))
	for i, q := range queries {
		searchBodies[i], _ = json.Marshal(map[string]any{"query": q})
	}
	chat, _ := json.Marshal(map[string]any{"message": "How do I use the present perfect?"})
	return []route{
		{CaseMe, 0, cycle(a.headers, "GET", base+"/api/auth/me", nil)},
		{CaseMembers, 50, targeter(func(n uint64, t *vegeta.Target) {
			k := int(n % uint64(p.Orgs))
			t.Method, t.URL, t.Header = "GET", base+"/api/organizations/"+s.OrgIDs[k]+"/members?limit=50", a.headers[k]
		})},
		{"GET /api/xp/profile", 0, cycle(xpHeaders, "GET", base+"/api/xp/profile", nil)},
		{"GET /api/xp/learning-pulse", 0, cycle(xpHeaders, "GET", base+"/api/xp/learning-pulse", nil)},
		{"POST /api/core/chat (offline tutor)", 0, cycle(a.headers, "POST", base+"/api/core/chat", [][]byte{chat})},
		{"POST /api/knowledge/search", 0, targeter(func(n uint64, t *vegeta.Target) {
			t.Method, t.URL = "POST", base+"/api/knowledge/search"
			t.Header, t.Body = a.headers[n%uint64(len(a.headers))], searchBodies[(n/uint64(len(a.headers)))%uint64(len(searchBodies))]
		})},
		{"GET /api/core/search", 0, targeter(func(n uint64, t *vegeta.Target) {
			t.Method, t.Header = "GET", a.headers[n%uint64(len(a.headers))]
			t.URL = base + "/api/core/search?q=" + url.QueryEscape(queries[(n/uint64(len(a.headers)))%uint64(len(queries))])
		})},
		{"POST /api/xel/submissions (again)", 0, cycle(a.headers, "POST", base+"/api/xel/submissions", a.xelBodies)},
		{"POST /api/live/session/heartbeat", 0, targeter(func(n uint64, t *vegeta.Target) {
			i := n % uint64(len(a.live))
			t.Method, t.URL, t.Header = "POST", base+"/api/live/session/heartbeat", a.headers[i]
			t.Body = []byte(`{"session_id":"` + a.live[i] + `"}`)
		})},
		{CaseLogin, 0, targeter(func(n uint64, t *vegeta.Target) {
			t.Method, t.URL, t.Header = "POST", base+"/api/auth/login", form
			t.Body = []byte(url.Values{"username": {Username(p.LoginUser(n))}, "password": {Password}}.Encode())
		})},
	}
}
