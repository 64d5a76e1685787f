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
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xentree/xentree-api/internal/ai"
	"github.com/xentree/xentree-api/server"
)

// providerSlot is where timedProvider leaves the duration of the provider call of one request
// (a pointer on the request's context).
type providerSlot struct{}

// timedProvider times each call of the provider a chat uses.
type timedProvider struct{ ai.Provider }

func (p timedProvider) Complete(ctx context.Context, req ai.Request) (*ai.Response, error) {
	t0 := time.Now()
	resp, err := p.Provider.Complete(ctx, req)
	if slot, ok := ctx.Value(providerSlot{}).(*time.Duration); ok {
		*slot = time.Since(t0)
	}
	return resp, err
}

// measureChat runs b.N calls of do spread over clients goroutines (each with its index) and
// reports throughput, latency percentiles and the server's own time per call: the latency less
// the provider call do reports.
func measureChat(b *testing.B, clients int, do func(client int) (provider time.Duration, err error)) {
	var next atomic.Int64
	lat := make([][]time.Duration, clients)
	own := make([][]time.Duration, clients)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				t0 := time.Now()
				prov, err := do(c)
				if err != nil {
					b.Error(err)
					return
				}
				d := time.Since(t0)
				lat[c], own[c] = append(lat[c], d), append(own[c], d-prov)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	pct := func(ds [][]time.Duration, p float64) float64 {
		all := slices.Concat(ds...)
		slices.Sort(all)
		return float64(all[int(p*float64(len(all)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(pct(lat, 0.50), "p50-ms")
	b.ReportMetric(pct(lat, 0.99), "p99-ms")
	b.ReportMetric(pct(own, 0.50), "own-p50-ms")
	b.ReportMetric(pct(own, 0.99), "own-p99-ms")
}

// BenchmarkChat (PostgreSQL): POST /api/core/chat through the whole stack at 8 and 64
// concurrent clients, each its own user and conversation: with the offline tutor and with a
// local OpenAI-compatible upstream that answers at once, stateless and in a conversation (the
// history read, both turns stored). "own" is the server's time outside the provider call
// (timed by a wrapper around the provider). Baseline in the same run: GET /api/auth/me (token
// and session check, one read) at the same concurrency.
func BenchmarkChat(b *testing.B) {
	if os.Getenv(envPostgresURL) == "" {
		b.Skipf("set %s to run on PostgreSQL", envPostgresURL)
	}
	llm := newFakeLLM(b, func(map[string]any) llmReply {
		return llmReply{Text: "Sure: the present perfect links the past to now."}
	})
	opts := []option{manyLogins, llm.option(), func(c *server.Config) {
		c.ChatRateLimit = 1 << 30
		server.WrapProviders(c, func(p ai.Provider) ai.Provider { return timedProvider{p} })
	}}
	h := newHarness(b, "postgres", opts...)
	h.log = slog.New(slog.NewJSONHandler(io.Discard, nil)) // access logs formatted, then dropped
	h.restart(opts...)
	const most = 64
	users := make([]*user, most)
	convs := map[string][]string{}
	for i := range users {
		users[i] = h.newUser("benchchat")
		for _, p := range []string{"offline", "openai"} {
			convs[p] = append(convs[p], h.createConversation(users[i], map[string]any{"provider": p}).Id.String())
		}
	}
	send := func(c int, path string, body map[string]any) (time.Duration, error) {
		var slot time.Duration
		var rd io.Reader
		method := "GET"
		if body != nil {
			j, _ := json.Marshal(body)
			rd, method = bytes.NewReader(j), "POST"
		}
		req := httptest.NewRequest(method, path, rd)
		req = req.WithContext(context.WithValue(req.Context(), providerSlot{}, &slot))
		req.RemoteAddr = h.remoteAddr
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+users[c].Access)
		rec := httptest.NewRecorder()
		h.e.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			return 0, fmt.Errorf("%s: %d %s", path, rec.Code, rec.Body)
		}
		return slot, nil
	}
	const question = "What does 'actually' mean?"
	cases := []struct {
		name string
		do   func(c int) (time.Duration, error)
	}{
		{"offline/stateless", func(c int) (time.Duration, error) {
			return send(c, "/api/core/chat", map[string]any{"message": question, "provider": "offline"})
		}},
		{"offline/conversation", func(c int) (time.Duration, error) {
			return send(c, "/api/core/chat", map[string]any{"message": question, "conversation_id": convs["offline"][c]})
		}},
		{"upstream/stateless", func(c int) (time.Duration, error) {
			return send(c, "/api/core/chat", map[string]any{"message": question, "provider": "openai"})
		}},
		{"upstream/conversation", func(c int) (time.Duration, error) {
			return send(c, "/api/core/chat", map[string]any{"message": question, "conversation_id": convs["openai"][c]})
		}},
		{"baseline/me", func(c int) (time.Duration, error) { return send(c, "/api/auth/me", nil) }},
	}
	for _, cs := range cases {
		for _, clients := range []int{1, 8, 64} {
			b.Run(fmt.Sprintf("%s/clients=%d", cs.name, clients), func(b *testing.B) {
				measureChat(b, clients, cs.do)
			})
		}
	}
}
