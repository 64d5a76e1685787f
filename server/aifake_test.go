package server_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xentree/xentree-api/internal/ai"
	"github.com/xentree/xentree-api/server"
)

// fakeLLM is an httptest upstream speaking the OpenAI chat-completions wire protocol (JSON, and
// SSE when the request streams) for API tests of the areas that call the provider layer. It
// records every request and answers what reply returns for it.
type fakeLLM struct {
	t     testing.TB
	srv   *httptest.Server
	reply func(req map[string]any) llmReply

	mu   sync.Mutex
	reqs []map[string]any
}

// llmReply is one scripted upstream answer: Status other than 200 is an error response (with
// RetryAfter for 429s); Deltas stream in pieces (Text is their concatenation when unset); Delay
// holds the answer back (a timeout test) unless the request ends first.
type llmReply struct {
	Status     int
	Text       string
	Deltas     []string
	RetryAfter string
	Delay      time.Duration
	NoUsage    bool
}

func newFakeLLM(t testing.TB, reply func(req map[string]any) llmReply) *fakeLLM {
	f := &fakeLLM{t: t, reply: reply}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// option points the server's OpenAI-compatible provider (id "openai") at the fake, offering
// models (default "gpt-5-mini"), with a short per-call timeout.
func (f *fakeLLM) option(models ...string) option {
	if len(models) == 0 {
		models = []string{"gpt-5-mini"}
	}
	return func(c *server.Config) {
		c.AI.OpenAI = &ai.OpenAIConfig{Name: "openai", BaseURL: f.srv.URL + "/v1", APIKey: "sk-test-fake", Models: models}
		c.AI.Timeout = 2 * time.Second
	}
}

// requests returns the request bodies received so far.
func (f *fakeLLM) requests() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any(nil), f.reqs...)
}

// promptOf concatenates the message contents of a request (system prompt included).
func promptOf(req map[string]any) string {
	var b strings.Builder
	msgs, _ := req["messages"].([]any)
	for _, m := range msgs {
		mm, _ := m.(map[string]any)
		switch c := mm["content"].(type) {
		case string:
			b.WriteString(c)
		case []any:
			for _, part := range c {
				if p, ok := part.(map[string]any); ok {
					s, _ := p["text"].(string)
					b.WriteString(s)
				}
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func (f *fakeLLM) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		http.Error(w, "unexpected "+r.Method+" "+r.URL.Path, http.StatusNotFound)
		return
	}
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, body)
	f.mu.Unlock()
	rep := f.reply(body)
	if rep.Delay > 0 {
		select {
		case <-r.Context().Done():
			return
		case <-time.After(rep.Delay):
		}
	}
	if rep.Status != 0 && rep.Status != http.StatusOK {
		w.Header().Set("Content-Type", "application/json")
		if rep.RetryAfter != "" {
			w.Header().Set("Retry-After", rep.RetryAfter)
		}
		w.WriteHeader(rep.Status)
		fmt.Fprintf(w, `{"error":{"message":"upstream says %d","type":"server_error","param":null,"code":null}}`, rep.Status)
		return
	}
	if rep.Text == "" {
		rep.Text = strings.Join(rep.Deltas, "")
	}
	if len(rep.Deltas) == 0 {
		rep.Deltas = []string{rep.Text}
	}
	usage := `{"prompt_tokens":31,"completion_tokens":9,"total_tokens":40}`
	if rep.NoUsage {
		usage = "null"
	}
	if stream, _ := body["stream"].(bool); !stream {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"chatcmpl-1","object":"chat.completion","created":1760000000,"model":"gpt-5-mini",
"choices":[{"index":0,"message":{"role":"assistant","content":%q,"refusal":null},"finish_reason":"stop","logprobs":null}],"usage":%s}`, rep.Text, usage)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	flusher := w.(http.Flusher)
	send := func(data string) {
		fmt.Fprintf(w, "data: %s\n\n", data)
		flusher.Flush()
	}
	chunk := `{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1760000000,"model":"gpt-5-mini","choices":[{"index":0,"delta":{"content":%q},"finish_reason":null}],"usage":null}`
	for _, d := range rep.Deltas {
		if r.Context().Err() != nil {
			return
		}
		send(fmt.Sprintf(chunk, d))
	}
	send(`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1760000000,"model":"gpt-5-mini","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}`)
	if !rep.NoUsage {
		send(`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1760000000,"model":"gpt-5-mini","choices":[],"usage":` + usage + `}`)
	}
	send(`[DONE]`)
}
