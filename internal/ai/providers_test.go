package ai

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xentree/xentree-api/internal/clock"
)

func tutorRequest() Request {
	return Request{
		System:   "You are a patient English tutor.",
		Language: "de",
		UserID:   "user-1",
		Messages: []Message{
			{Role: RoleUser, Content: "Hi!"},
			{Role: RoleAssistant, Content: "Hello! What would you like to practise?"},
			{Role: RoleUser, Content: "How do I use the present perfect?"},
		},
	}
}

// routerFor builds a Router whose remote providers are the given upstreams (nil: absent), in
// that order.
func routerFor(t *testing.T, openai, anthropic *upstream, tweak ...func(*Config)) *Router {
	t.Helper()
	cfg := Config{Timeout: 3 * time.Second, Clock: clock.NewManual()}
	if openai != nil {
		cfg.OpenAI = &OpenAIConfig{BaseURL: openai.baseURL(), APIKey: secretCanary, Models: []string{"gpt-5-mini", "gpt-5"}}
		cfg.Order = append(cfg.Order, OpenAIName)
	}
	if anthropic != nil {
		cfg.Anthropic = &AnthropicConfig{BaseURL: anthropic.baseURL(), APIKey: secretCanary, Models: []string{"claude-haiku-4-5", "claude-sonnet-4-6"}}
		cfg.Order = append(cfg.Order, AnthropicName)
	}
	for _, f := range tweak {
		f(&cfg)
	}
	r, err := NewRouter(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func provider(t *testing.T, r *Router, name string) Provider {
	t.Helper()
	p, err := r.Provider(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOpenAIComplete(t *testing.T) {
	up := newUpstream(t, "openai")
	r := routerFor(t, up, nil)
	resp, err := provider(t, r, "openai").Complete(context.Background(), tutorRequest())
	if err != nil {
		t.Fatal(err)
	}
	want := Response{Provider: "openai", Model: "gpt-5-mini", Content: "The present perfect links past and now.", Usage: &Usage{31, 9, 40}}
	if resp.Provider != want.Provider || resp.Model != want.Model || resp.Content != want.Content || *resp.Usage != *want.Usage {
		t.Fatalf("got %+v (usage %+v), want %+v", resp, resp.Usage, want)
	}
	body, head := up.last()
	if got := head.Get("Authorization"); got != "Bearer "+secretCanary {
		t.Errorf("Authorization = %q", got)
	}
	if body["model"] != "gpt-5-mini" || body["stream"] != nil || body["response_format"] != nil || body["max_tokens"] != nil {
		t.Errorf("body = %v", body)
	}
	msgs := body["messages"].([]any)
	if len(msgs) != 4 {
		t.Fatalf("messages = %v", msgs)
	}
	sys := msgs[0].(map[string]any)
	if sys["role"] != "system" || !strings.Contains(sys["content"].(string), "patient English tutor") || !strings.Contains(sys["content"].(string), "German (de)") {
		t.Errorf("system message = %v", sys)
	}
	if last := msgs[3].(map[string]any); last["role"] != "user" || last["content"] != "How do I use the present perfect?" {
		t.Errorf("last message = %v", last)
	}
	if m := msgs[2].(map[string]any); m["role"] != "assistant" {
		t.Errorf("assistant turn = %v", m)
	}
}

func TestOpenAIParams(t *testing.T) {
	up := newUpstream(t, "openai")
	r := routerFor(t, up, nil)
	req := tutorRequest()
	req.JSON, req.MaxTokens, req.Model = true, 300, "gpt-5"
	if _, err := provider(t, r, "openai").Complete(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	body, _ := up.last()
	if rf, _ := body["response_format"].(map[string]any); rf["type"] != "json_object" {
		t.Errorf("response_format = %v", body["response_format"])
	}
	// A compatible server gets max_tokens, which they all understand.
	if body["max_tokens"] != float64(300) || body["max_completion_tokens"] != nil || body["model"] != "gpt-5" {
		t.Errorf("body = %v", body)
	}
	if sys := body["messages"].([]any)[0].(map[string]any)["content"].(string); !strings.Contains(sys, "JSON object") {
		t.Errorf("system prompt lacks the JSON instruction: %q", sys)
	}
	for base, want := range map[string]bool{"": true, "https://api.openai.com/v1": true, "http://localhost:11434/v1": false, "https://openrouter.ai/api/v1": false} {
		if isOfficialOpenAI(base) != want {
			t.Errorf("isOfficialOpenAI(%q) != %v", base, want)
		}
	}
	// OpenAI itself wants max_completion_tokens.
	official := newOpenAI(OpenAIConfig{Name: "openai", Models: []string{"gpt-5-mini"}}, clock.System{})
	if p := official.params(req); !p.MaxCompletionTokens.Valid() || p.MaxTokens.Valid() {
		t.Errorf("official params: max_completion_tokens %v, max_tokens %v", p.MaxCompletionTokens, p.MaxTokens)
	}
}

func TestAnthropicComplete(t *testing.T) {
	up := newUpstream(t, "anthropic")
	r := routerFor(t, nil, up)
	resp, err := provider(t, r, "anthropic").Complete(context.Background(), tutorRequest())
	if err != nil {
		t.Fatal(err)
	}
	// Cached input counts as prompt tokens: 20 + 5 written + 6 read.
	if resp.Provider != "anthropic" || resp.Model != "claude-haiku-4-5" || resp.Content != "The present perfect links past and now." || *resp.Usage != (Usage{31, 9, 40}) {
		t.Fatalf("got %+v usage %+v", resp, resp.Usage)
	}
	body, head := up.last()
	if head.Get("Anthropic-Version") == "" {
		t.Error("no anthropic-version header")
	}
	if !strings.Contains(head.Get("Authorization")+head.Get("X-Api-Key"), secretCanary) {
		t.Error("the API key was not sent")
	}
	if body["model"] != "claude-haiku-4-5" || body["max_tokens"] != float64(DefaultAnthropicMaxTokens) {
		t.Errorf("body = %v", body)
	}
	system := body["system"].([]any)[0].(map[string]any)
	if system["type"] != "text" || !strings.Contains(system["text"].(string), "patient English tutor") || !strings.Contains(system["text"].(string), "German") {
		t.Errorf("system = %v", system)
	}
	msgs := body["messages"].([]any)
	if len(msgs) != 3 || msgs[0].(map[string]any)["role"] != "user" || msgs[1].(map[string]any)["role"] != "assistant" {
		t.Fatalf("messages = %v", msgs)
	}
	if text := msgs[2].(map[string]any)["content"].([]any)[0].(map[string]any)["text"]; text != "How do I use the present perfect?" {
		t.Errorf("last turn = %v", text)
	}
	// A large bound is the caller's choice (the SDK refuses it without an explicit timeout).
	big := tutorRequest()
	big.MaxTokens = 64000
	if _, err := provider(t, r, "anthropic").Complete(context.Background(), big); err != nil {
		t.Fatalf("max_tokens 64000: %v", err)
	}
}

func TestAnthropicPromptShape(t *testing.T) {
	up := newUpstream(t, "anthropic")
	r := routerFor(t, nil, up)
	up.mu.Lock()
	up.deltas = []string{"Sure! ```json\n{\"score\": 4}\n```"}
	up.mu.Unlock()
	req := Request{JSON: true, MaxTokens: 200, Messages: []Message{
		{Role: RoleAssistant, Content: "Welcome back!"},
		{Role: RoleSystem, Content: "Grade strictly."},
		{Role: RoleUser, Content: "Part one."},
		{Role: RoleUser, Content: "Part two."},
	}}
	resp, err := provider(t, r, "anthropic").Complete(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Content != `{"score": 4}` {
		t.Errorf("JSON reply not trimmed to the object: %q", resp.Content)
	}
	body, _ := up.last()
	msgs := body["messages"].([]any)
	// A leading assistant turn gets a user turn before it; consecutive user turns merge.
	if len(msgs) != 3 || msgs[0].(map[string]any)["role"] != "user" || msgs[2].(map[string]any)["role"] != "user" {
		t.Fatalf("messages = %v", msgs)
	}
	if text := msgs[2].(map[string]any)["content"].([]any)[0].(map[string]any)["text"]; text != "Part one.\n\nPart two." {
		t.Errorf("merged turn = %q", text)
	}
	sys := body["system"].([]any)[0].(map[string]any)["text"].(string)
	if !strings.Contains(sys, "Grade strictly.") || !strings.Contains(sys, "JSON object") || body["max_tokens"] != float64(200) {
		t.Errorf("system %q, max_tokens %v", sys, body["max_tokens"])
	}
}

func TestStreams(t *testing.T) {
	for _, tc := range []struct {
		kind  string
		usage Usage
	}{
		{"openai", Usage{31, 12, 43}},
		{"anthropic", Usage{24, 12, 36}},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			up := newUpstream(t, tc.kind)
			var r *Router
			if tc.kind == "openai" {
				r = routerFor(t, up, nil)
			} else {
				r = routerFor(t, nil, up)
			}
			var got []string
			resp, err := provider(t, r, "auto").Stream(context.Background(), tutorRequest(), func(d string) error {
				got = append(got, d)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, up.deltas) {
				t.Errorf("deltas %q, want %q", got, up.deltas)
			}
			if resp.Content != strings.Join(got, "") || resp.Provider != tc.kind || resp.Usage == nil || *resp.Usage != tc.usage {
				t.Errorf("response %+v usage %+v", resp, resp.Usage)
			}
			body, _ := up.last()
			if body["stream"] != true {
				t.Errorf("stream = %v", body["stream"])
			}
			if tc.kind == "openai" {
				if so, _ := body["stream_options"].(map[string]any); so["include_usage"] != true {
					t.Errorf("stream_options = %v", body["stream_options"])
				}
			}
		})
	}
}

func TestOpenAIStreamWithoutUsage(t *testing.T) {
	up := newUpstream(t, "openai")
	r := routerFor(t, up, nil, func(c *Config) { c.OpenAI.NoStreamUsage = true })
	if _, err := provider(t, r, "openai").Stream(context.Background(), tutorRequest(), func(string) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if body, _ := up.last(); body["stream_options"] != nil {
		t.Errorf("stream_options sent: %v", body["stream_options"])
	}
}

// Each failure of each SDK-backed provider makes auto fall back to the next provider, for
// Complete and for Stream; the failing provider reports a typed *Error.
func TestFallback(t *testing.T) {
	for _, kind := range []string{"openai", "anthropic"} {
		for _, mode := range []string{"500", "502-text", "slow", "429", "error-event", "401-echo"} {
			t.Run(kind+"/"+mode, func(t *testing.T) {
				failing, healthy := newUpstream(t, kind), newUpstream(t, map[string]string{"openai": "anthropic", "anthropic": "openai"}[kind])
				failing.set(mode)
				var r *Router
				timeout := func(c *Config) { c.Timeout = 300 * time.Millisecond }
				if kind == "openai" {
					r = routerFor(t, failing, healthy, timeout)
				} else {
					r = routerFor(t, healthy, failing, timeout, func(c *Config) { c.Order = []string{"anthropic", "openai"} })
				}
				auto := provider(t, r, "auto")
				if mode != "error-event" { // an error event is a streaming thing
					resp, err := auto.Complete(context.Background(), tutorRequest())
					if err != nil {
						t.Fatal(err)
					}
					if resp.Provider != healthy.kind {
						t.Errorf("answered by %s, want %s", resp.Provider, healthy.kind)
					}
				}
				resp, err := auto.Stream(context.Background(), tutorRequest(), func(string) error { return nil })
				if err != nil {
					t.Fatal(err)
				}
				if resp.Provider != healthy.kind {
					t.Errorf("stream answered by %s, want %s", resp.Provider, healthy.kind)
				}

				// The failure itself, asked of the provider by name.
				_, err = provider(t, r, kind).Stream(context.Background(), tutorRequest(), func(string) error { return nil })
				var e *Error
				if !errors.As(err, &e) || e.Provider != kind {
					t.Fatalf("error %v is not an *Error of %s", err, kind)
				}
				want := map[string]int{"500": 500, "502-text": 502, "slow": 0, "429": 429, "401-echo": 401,
					"error-event": map[string]int{"openai": 502, "anthropic": 529}[kind]}[mode]
				if e.Status != want {
					t.Errorf("status %d, want %d (%v)", e.Status, want, err)
				}
				switch mode {
				case "slow":
					if !errors.Is(err, ErrTimeout) {
						t.Errorf("%v is not ErrTimeout", err)
					}
				case "429":
					if e.RetryAfter != 7*time.Second {
						t.Errorf("RetryAfter = %v", e.RetryAfter)
					}
				}
				if strings.Contains(err.Error(), secretCanary) || strings.Contains(err.Error(), failing.srv.URL) {
					t.Errorf("error text leaks upstream details: %v", err)
				}
			})
		}
	}
}

// A consumer that stops the stream (the client went away) ends the upstream request, gets its
// own error back, and no fallback runs.
func TestStreamConsumerErrorCancelsUpstream(t *testing.T) {
	for _, kind := range []string{"openai", "anthropic"} {
		t.Run(kind, func(t *testing.T) {
			up, other := newUpstream(t, kind), newUpstream(t, map[string]string{"openai": "anthropic", "anthropic": "openai"}[kind])
			up.set("hang-after-first")
			var r *Router
			if kind == "openai" {
				r = routerFor(t, up, other)
			} else {
				r = routerFor(t, other, up, func(c *Config) { c.Order = []string{"anthropic", "openai"} })
			}
			gone := errors.New("client disconnected")
			var got []string
			_, err := provider(t, r, "auto").Stream(context.Background(), tutorRequest(), func(d string) error {
				got = append(got, d)
				return gone
			})
			if !errors.Is(err, gone) {
				t.Fatalf("err = %v, want the consumer's", err)
			}
			select {
			case <-up.ctxEnded:
			case <-time.After(3 * time.Second):
				t.Fatal("the upstream request was not cancelled")
			}
			if len(got) != 1 || other.calls.Load() != 0 {
				t.Errorf("deltas %q, fallback calls %d", got, other.calls.Load())
			}
			if !r.Infos()[1].Available || r.byName[kind].failures != 0 {
				t.Error("a consumer's error was held against the provider")
			}
		})
	}
}

// Once a delta reached the caller, a failing stream is not retried elsewhere.
func TestStreamNoFallbackAfterDelta(t *testing.T) {
	for _, kind := range []string{"openai", "anthropic"} {
		t.Run(kind, func(t *testing.T) {
			up, other := newUpstream(t, kind), newUpstream(t, map[string]string{"openai": "anthropic", "anthropic": "openai"}[kind])
			up.set("drop-after-first")
			var r *Router
			if kind == "openai" {
				r = routerFor(t, up, other)
			} else {
				r = routerFor(t, other, up, func(c *Config) { c.Order = []string{"anthropic", "openai"} })
			}
			var got []string
			_, err := provider(t, r, "auto").Stream(context.Background(), tutorRequest(), func(d string) error {
				got = append(got, d)
				return nil
			})
			var e *Error
			if !errors.As(err, &e) || e.Provider != kind {
				t.Fatalf("err = %v, want an *Error of %s", err, kind)
			}
			if len(got) != 1 || other.calls.Load() != 0 {
				t.Errorf("deltas %q, fallback calls %d", got, other.calls.Load())
			}
		})
	}
}

// The caller's own deadline or cancellation is no provider failure: no fallback, no penalty.
func TestCallerCancel(t *testing.T) {
	up, other := newUpstream(t, "openai"), newUpstream(t, "anthropic")
	up.set("slow")
	r := routerFor(t, up, other)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := provider(t, r, "auto").Complete(ctx, tutorRequest())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if other.calls.Load() != 0 || r.byName["openai"].failures != 0 {
		t.Errorf("fallback calls %d, failures %d", other.calls.Load(), r.byName["openai"].failures)
	}
}

// The SDKs read OPENAI_* and ANTHROPIC_* variables by default; the providers must not: only
// the server's own configuration decides where requests go and with which key.
func TestAmbientEnvironmentIgnored(t *testing.T) {
	decoy := newUpstream(t, "openai")
	t.Setenv("OPENAI_BASE_URL", decoy.baseURL())
	t.Setenv("OPENAI_API_KEY", "sk-ambient")
	t.Setenv("OPENAI_ORG_ID", "org-ambient")
	t.Setenv("OPENAI_CUSTOM_HEADERS", "X-Ambient: 1")
	t.Setenv("ANTHROPIC_BASE_URL", decoy.srv.URL)
	t.Setenv("ANTHROPIC_API_KEY", "sk-ant-ambient")
	t.Setenv("ANTHROPIC_CUSTOM_HEADERS", "X-Ambient: 1")
	oa, an := newUpstream(t, "openai"), newUpstream(t, "anthropic")
	r := routerFor(t, oa, an, func(c *Config) { c.OpenAI.APIKey = "" }) // a keyless local server
	for _, name := range []string{"openai", "anthropic"} {
		if _, err := provider(t, r, name).Complete(context.Background(), tutorRequest()); err != nil {
			t.Fatal(err)
		}
	}
	if decoy.calls.Load() != 0 {
		t.Fatal("a request went to the ambient base URL")
	}
	for _, up := range []*upstream{oa, an} {
		_, head := up.last()
		for name, values := range head {
			if v := strings.Join(values, ","); strings.Contains(v, "ambient") || strings.EqualFold(name, "X-Ambient") {
				t.Errorf("%s: header %s: %s comes from the environment", up.kind, name, v)
			}
		}
	}
	if _, head := oa.last(); head.Get("Authorization") != "" {
		t.Errorf("keyless provider sent Authorization %q", head.Get("Authorization"))
	}
}

func TestRedirectsNotFollowed(t *testing.T) {
	target := newUpstream(t, "openai")
	redirect := newUpstream(t, "openai")
	redirect.srv.Config.Handler = http.RedirectHandler(target.srv.URL+"/v1/chat/completions", http.StatusTemporaryRedirect)
	r := routerFor(t, redirect, nil)
	_, err := provider(t, r, "openai").Complete(context.Background(), tutorRequest())
	if err == nil || target.calls.Load() != 0 {
		t.Fatalf("err %v, calls to the redirect target %d", err, target.calls.Load())
	}
}
