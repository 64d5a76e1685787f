package ai

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// upstream is an httptest server speaking the chat-completions (kind "openai") or Messages
// (kind "anthropic") wire protocol, JSON and SSE, with a failure mode the test switches.
type upstream struct {
	t    *testing.T
	kind string
	srv  *httptest.Server

	mu     sync.Mutex
	mode   string // "" ok, "500", "429", "slow", "hang-after-first", "drop-after-first", "401-echo"
	deltas []string
	bodies []map[string]any
	heads  []http.Header

	calls    atomic.Int32
	ctxEnded chan struct{} // closed when a hanging handler sees its request end
}

const secretCanary = "sk-CANARY-7f3e9d2a"

func newUpstream(t *testing.T, kind string) *upstream {
	u := &upstream{t: t, kind: kind, deltas: []string{"The present ", "perfect links ", "past and now."}, ctxEnded: make(chan struct{})}
	u.srv = httptest.NewServer(http.HandlerFunc(u.serve))
	t.Cleanup(u.srv.Close)
	return u
}

func (u *upstream) set(mode string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.mode = mode
}

// last returns the latest request body and headers.
func (u *upstream) last() (map[string]any, http.Header) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if len(u.bodies) == 0 {
		u.t.Fatal("upstream got no request")
	}
	return u.bodies[len(u.bodies)-1], u.heads[len(u.heads)-1]
}

// baseURL is what the provider is configured with: OpenAI-compatible roots include /v1,
// Anthropic's does not.
func (u *upstream) baseURL() string {
	if u.kind == "openai" {
		return u.srv.URL + "/v1"
	}
	return u.srv.URL
}

func (u *upstream) serve(w http.ResponseWriter, r *http.Request) {
	u.calls.Add(1)
	wantPath := map[string]string{"openai": "/v1/chat/completions", "anthropic": "/v1/messages"}[u.kind]
	if r.Method != http.MethodPost || r.URL.Path != wantPath {
		http.Error(w, "unexpected "+r.Method+" "+r.URL.Path, http.StatusNotFound)
		return
	}
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	u.mu.Lock()
	u.bodies = append(u.bodies, body)
	u.heads = append(u.heads, r.Header.Clone())
	mode, deltas := u.mode, u.deltas
	u.mu.Unlock()

	switch mode {
	case "500":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, u.errorBody("api_error", "internal error"))
		return
	case "502-text":
		http.Error(w, "Bad Gateway", http.StatusBadGateway)
		return
	case "429":
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, u.errorBody("rate_limit_error", "Rate limit reached for key "+secretCanary))
		return
	case "401-echo":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, u.errorBody("authentication_error", "Incorrect API key provided: "+secretCanary))
		return
	case "400":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, u.errorBody("invalid_request_error", "prompt is too long"))
		return
	case "slow":
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
		return
	}
	if stream, _ := body["stream"].(bool); stream {
		u.stream(w, r, mode, deltas)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, u.completion(strings.Join(deltas, "")))
}

func (u *upstream) errorBody(typ, msg string) string {
	if u.kind == "openai" {
		return fmt.Sprintf(`{"error":{"message":%q,"type":%q,"param":null,"code":null}}`, msg, typ)
	}
	return fmt.Sprintf(`{"type":"error","error":{"type":%q,"message":%q},"request_id":"req_1"}`, typ, msg)
}

func (u *upstream) completion(text string) string {
	if u.kind == "openai" {
		return fmt.Sprintf(`{"id":"chatcmpl-1","object":"chat.completion","created":1760000000,"model":"gpt-5-mini-2025-08-07",
			"choices":[{"index":0,"message":{"role":"assistant","content":%q,"refusal":null},"finish_reason":"stop","logprobs":null}],
			"usage":{"prompt_tokens":31,"completion_tokens":9,"total_tokens":40,"prompt_tokens_details":{"cached_tokens":0}}}`, text)
	}
	return fmt.Sprintf(`{"id":"msg_01","type":"message","role":"assistant","model":"claude-haiku-4-5-20251001",
		"content":[{"type":"text","text":%q}],"stop_reason":"end_turn","stop_sequence":null,
		"usage":{"input_tokens":20,"cache_creation_input_tokens":5,"cache_read_input_tokens":6,"output_tokens":9}}`, text)
}

// stream writes the SSE events of a reply made of deltas. "hang-after-first" stops after the
// first delta and waits for the client to go away; "drop-after-first" cuts the connection.
func (u *upstream) stream(w http.ResponseWriter, r *http.Request, mode string, deltas []string) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	flusher := w.(http.Flusher)
	send := func(event, data string) {
		if event != "" {
			fmt.Fprintf(w, "event: %s\n", event)
		}
		fmt.Fprintf(w, "data: %s\n\n", data)
		flusher.Flush()
	}
	if u.kind == "anthropic" {
		send("message_start", `{"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","model":"claude-haiku-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":20,"cache_creation_input_tokens":0,"cache_read_input_tokens":4,"output_tokens":1}}}`)
		send("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`)
		send("ping", `{"type": "ping"}`)
	} else {
		send("", `{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1760000000,"model":"gpt-5-mini","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"usage":null}`)
	}
	if mode == "error-event" { // an error before any text
		if u.kind == "anthropic" {
			send("error", `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`)
		} else {
			send("", `{"error":{"message":"server had an error","type":"server_error"}}`)
		}
		return
	}
	for i, d := range deltas {
		if u.kind == "anthropic" {
			send("content_block_delta", fmt.Sprintf(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":%q}}`, d))
		} else {
			send("", fmt.Sprintf(`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1760000000,"model":"gpt-5-mini","choices":[{"index":0,"delta":{"content":%q},"finish_reason":null}],"usage":null}`, d))
		}
		if i == 0 && mode == "hang-after-first" {
			select {
			case <-r.Context().Done():
				close(u.ctxEnded)
			case <-time.After(5 * time.Second):
			}
			return
		}
		if i == 0 && mode == "drop-after-first" {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
	}
	if u.kind == "anthropic" {
		send("content_block_stop", `{"type":"content_block_stop","index":0}`)
		send("message_delta", `{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":12}}`)
		send("message_stop", `{"type":"message_stop"}`)
		return
	}
	send("", `{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1760000000,"model":"gpt-5-mini","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}`)
	send("", `{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1760000000,"model":"gpt-5-mini","choices":[],"usage":{"prompt_tokens":31,"completion_tokens":12,"total_tokens":43}}`)
	send("", `[DONE]`)
}

// fakeProvider is a scripted Provider for router tests.
type fakeProvider struct {
	name   string
	models []string
	calls  atomic.Int32
	mu     sync.Mutex
	err    error // returned by every call while set
}

var _ Provider = (*fakeProvider)(nil)

func (f *fakeProvider) Name() string     { return f.name }
func (f *fakeProvider) Models() []string { return f.models }

func (f *fakeProvider) fail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
}

func (f *fakeProvider) Complete(ctx context.Context, req Request) (*Response, error) {
	f.calls.Add(1)
	f.mu.Lock()
	err := f.err
	f.mu.Unlock()
	if err != nil {
		return nil, err
	}
	model := req.Model
	if model == "" {
		model = f.models[0]
	}
	return &Response{Provider: f.name, Model: model, Content: "answer from " + f.name}, nil
}

func (f *fakeProvider) Stream(ctx context.Context, req Request, onDelta func(string) error) (*Response, error) {
	resp, err := f.Complete(ctx, req)
	if err != nil {
		return nil, err
	}
	if err := onDelta(resp.Content); err != nil {
		return nil, err
	}
	return resp, nil
}
