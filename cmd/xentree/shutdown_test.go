package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// heldUpstream is an OpenAI-compatible chat-completions server that holds every answer until
// released: a stream sends its first piece at once and the rest (slowly) after release, a JSON
// answer comes whole after release. It makes server requests as slow as the test wants with
// no test-only code in the server.
type heldUpstream struct {
	srv     *httptest.Server
	arrived atomic.Int64
	release chan struct{}
	once    sync.Once
}

// upstreamPieces is what a held stream sends: the first piece before the hold, the rest after.
var upstreamPieces = []string{"Shut", "down", " gently", ",", " one", " piece", " at", " a", " time", "."}

func newHeldUpstream(t testing.TB) *heldUpstream {
	u := &heldUpstream{release: make(chan struct{})}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct{ Stream bool }
		_ = json.NewDecoder(r.Body).Decode(&body)
		if !body.Stream {
			u.arrived.Add(1)
			select {
			case <-u.release:
			case <-r.Context().Done():
				return
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"id":"c1","object":"chat.completion","created":1760000000,"model":"gpt-5-mini",
"choices":[{"index":0,"message":{"role":"assistant","content":%q},"finish_reason":"stop"}],"usage":null}`, strings.Join(upstreamPieces, ""))
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		send := func(data string) {
			fmt.Fprintf(w, "data: %s\n\n", data)
			w.(http.Flusher).Flush()
		}
		chunk := `{"id":"c1","object":"chat.completion.chunk","created":1760000000,"model":"gpt-5-mini","choices":[{"index":0,"delta":{"content":%q},"finish_reason":null}]}`
		send(fmt.Sprintf(chunk, upstreamPieces[0]))
		u.arrived.Add(1)
		select {
		case <-u.release:
		case <-r.Context().Done():
			return
		}
		for _, p := range upstreamPieces[1:] {
			time.Sleep(20 * time.Millisecond) // a slow model: the drain must wait for the whole stream
			send(fmt.Sprintf(chunk, p))
		}
		send(`{"id":"c1","object":"chat.completion.chunk","created":1760000000,"model":"gpt-5-mini","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`)
		send("[DONE]")
	}))
	t.Cleanup(func() { u.open(); u.srv.Close() })
	return u
}

func (u *heldUpstream) open() { u.once.Do(func() { close(u.release) }) }

// waitArrived waits until n requests are held.
func (u *heldUpstream) waitArrived(t testing.TB, n int64) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for u.arrived.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d requests reached the upstream", u.arrived.Load(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (u *heldUpstream) env(dir, grace string) map[string]string {
	return map[string]string{
		"XENTREE_DATABASE_URL": filepath.Join(dir, "xentree.db"), "XENTREE_JWT_SECRET": procSecret,
		"XENTREE_OPENAI_BASE_URL": u.srv.URL + "/v1", "XENTREE_OPENAI_API_KEY": "sk-test-fake",
		"XENTREE_OPENAI_MODELS": "gpt-5-mini", "XENTREE_SHUTDOWN_TIMEOUT": grace,
	}
}

// streamResult is what a client read from one event stream.
type streamResult struct {
	events  []string // event names in order
	content string   // the deltas joined
	done    string   // the done event's data
	err     error    // how reading ended (nil: clean EOF)
	bad     string   // a data line that is not whole JSON
}

// chatStream posts a streamed chat and reads its events to the end.
func chatStream(ctx context.Context, base, token string) streamResult {
	var r streamResult
	body, _ := json.Marshal(map[string]string{"message": "Tell me about shutdowns", "provider": "openai"})
	req, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/core/chat", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := httpClient.Do(req)
	if err != nil {
		r.err = err
		return r
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		b, _ := io.ReadAll(res.Body)
		r.err = fmt.Errorf("status %d: %s", res.StatusCode, b)
		return r
	}
	rd := bufio.NewReader(res.Body)
	event := ""
	for {
		line, err := rd.ReadString('\n')
		if err != nil {
			if err != io.EOF || line != "" {
				r.err = fmt.Errorf("after %q: %w", line, err)
				if err == io.EOF {
					r.err = fmt.Errorf("truncated line %q", line)
				}
			}
			return r
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
			r.events = append(r.events, event)
		case strings.HasPrefix(line, "data: "):
			data := strings.TrimPrefix(line, "data: ")
			if !json.Valid([]byte(data)) {
				r.bad = data
			}
			switch event {
			case "delta":
				var d struct{ Content string }
				_ = json.Unmarshal([]byte(data), &d)
				r.content += d.Content
			case "done":
				r.done = data
			}
		}
	}
}

// TestGracefulShutdown: SIGTERM while 200 slow chats (100 event streams, mid-stream, and 100
// JSON answers) are in flight: the listener closes at once (a new connection is refused)
// while every request in flight still completes whole (each stream ends with its done event
// and a clean EOF, every data line whole JSON), and the process exits 0 inside its grace
// period. A request outlasting the grace period is cut when it runs out, and the process exits
// then instead of waiting for it.
func TestGracefulShutdown(t *testing.T) {
	const streams, jsons = 100, 100
	up := newHeldUpstream(t)
	p := startServer(t, up.env(t.TempDir(), "30s"))
	u := register(t, p.base, "drain_user")
	ctx := context.Background()
	want := strings.Join(upstreamPieces, "")

	var wg sync.WaitGroup
	streamed := make([]streamResult, streams)
	answered := make([]reply, jsons)
	for i := range streams {
		wg.Go(func() { streamed[i] = chatStream(ctx, p.base, u.Access) })
	}
	for i := range jsons {
		wg.Go(func() {
			answered[i] = call(ctx, p.base, "POST", "/api/core/chat", u.Access, map[string]string{"message": "Tell me about shutdowns", "provider": "openai"})
		})
	}
	up.waitArrived(t, streams+jsons)

	p.signal(syscall.SIGTERM)
	signaled := time.Now()
	if !p.waitLog("shutting down", 10*time.Second) {
		t.Fatal("no shutdown log line after SIGTERM")
	}
	// The listener is closed once Shutdown starts: new connections are refused while the 200
	// requests are still held.
	refused := false
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", p.addr, time.Second)
		if err != nil {
			refused = errors.Is(err, syscall.ECONNREFUSED)
			break
		}
		c.Close()
	}
	if !refused {
		t.Fatal("new connections still accepted after SIGTERM")
	}
	if _, exited := p.waitExit(0); exited {
		t.Fatal("exited with requests in flight")
	}

	up.open()
	wg.Wait()
	for i, r := range streamed {
		if r.err != nil || r.bad != "" || r.content != want || len(r.events) == 0 || r.events[len(r.events)-1] != "done" ||
			!strings.Contains(r.done, `"provider":"openai"`) {
			t.Fatalf("stream %d: err %v, bad line %q, content %q, events %v, done %s", i, r.err, r.bad, r.content, r.events, r.done)
		}
	}
	for i, r := range answered {
		var res struct{ Content, Provider string }
		if r.Status != 200 {
			t.Fatalf("chat %d: %s", i, r)
		}
		if r.decode(t, &res); res.Content != want || res.Provider != "openai" {
			t.Fatalf("chat %d: %s", i, r.Body)
		}
	}
	err, exited := p.waitExit(30 * time.Second)
	if !exited || err != nil {
		t.Fatalf("after the drain: exited %v, %v", exited, err)
	}
	t.Logf("200 requests drained; exit %.1f s after SIGTERM", time.Since(signaled).Seconds())

	t.Run("grace period bounds the drain", func(t *testing.T) {
		up := newHeldUpstream(t) // never opened while the server runs
		const grace = 2 * time.Second
		p := startServer(t, up.env(t.TempDir(), grace.String()))
		u := register(t, p.base, "stuck_user")
		res := make(chan streamResult, 1)
		go func() { res <- chatStream(ctx, p.base, u.Access) }()
		up.waitArrived(t, 1)
		p.signal(syscall.SIGTERM)
		signaled := time.Now()
		// Generous slack over the grace period: the point is that it does not wait for the
		// request (held until the test ends), not how fast it exits.
		err, exited := p.waitExit(grace + 8*time.Second)
		if !exited {
			t.Fatal("still running long after its grace period")
		}
		if err == nil || !strings.Contains(p.logText(), "drain") {
			t.Fatalf("a cut drain must exit non-zero and say so: %v", err)
		}
		r := <-res
		if r.bad != "" || len(r.events) == 0 || r.events[0] != "delta" || r.err == nil {
			t.Fatalf("cut stream: events %v, bad %q, err %v", r.events, r.bad, r.err)
		}
		t.Logf("stuck stream cut; exit %.1f s after SIGTERM (grace %s)", time.Since(signaled).Seconds(), grace)
	})
}
