package ai

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestConfigFromEnv(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		// check inspects a valid config; errs lists what the error must mention.
		check func(*testing.T, Config)
		errs  []string
	}{
		{name: "nothing: offline tutor only", env: nil, check: func(t *testing.T, c Config) {
			if c.OpenAI != nil || c.Anthropic != nil || len(c.Order) != 0 {
				t.Errorf("%+v", c)
			}
		}},
		{name: "OpenAI by key", env: map[string]string{"XENTREE_OPENAI_API_KEY": "sk-1"}, check: func(t *testing.T, c Config) {
			o := c.withDefaults().OpenAI
			if o.Name != "openai" || o.Label != "OpenAI" || o.BaseURL != "" || o.APIKey.Reveal() != "sk-1" || !slices.Equal(o.Models, []string{DefaultOpenAIModel}) || o.NoStreamUsage {
				t.Errorf("%+v", o)
			}
		}},
		{name: "Ollama by base URL, no key", env: map[string]string{
			"XENTREE_OPENAI_BASE_URL": "http://localhost:11434/v1", "XENTREE_OPENAI_MODELS": "llama3.2, qwen2.5:7b",
			"XENTREE_OPENAI_NAME": "ollama", "XENTREE_OPENAI_LABEL": "Ollama (local)", "XENTREE_OPENAI_MAX_TOKENS": "800",
			"XENTREE_OPENAI_STREAM_USAGE": "false",
		}, check: func(t *testing.T, c Config) {
			o := c.OpenAI
			if o.Name != "ollama" || o.Label != "Ollama (local)" || o.APIKey != "" || !slices.Equal(o.Models, []string{"llama3.2", "qwen2.5:7b"}) || o.MaxTokens != 800 || !o.NoStreamUsage {
				t.Errorf("%+v", o)
			}
			if got := c.withDefaults().Order; !slices.Equal(got, []string{"ollama"}) {
				t.Errorf("order %v", got)
			}
		}},
		{name: "base URL needs models", env: map[string]string{"XENTREE_OPENAI_BASE_URL": "http://localhost:11434/v1"}, errs: []string{"XENTREE_OPENAI_MODELS is required"}},
		{name: "models without endpoint", env: map[string]string{"XENTREE_OPENAI_MODELS": "gpt-5"}, errs: []string{"without XENTREE_OPENAI_API_KEY"}},
		{name: "Anthropic", env: map[string]string{"XENTREE_ANTHROPIC_API_KEY": "sk-ant", "XENTREE_ANTHROPIC_MAX_TOKENS": "2048"}, check: func(t *testing.T, c Config) {
			a := c.withDefaults().Anthropic
			if a.APIKey.Reveal() != "sk-ant" || !slices.Equal(a.Models, []string{DefaultAnthropicModel}) || a.MaxTokens != 2048 {
				t.Errorf("%+v", a)
			}
		}},
		{name: "Anthropic base URL without key", env: map[string]string{"XENTREE_ANTHROPIC_BASE_URL": "https://proxy.example/anthropic"}, errs: []string{"without XENTREE_ANTHROPIC_API_KEY"}},
		{name: "both, explicit order and tuning", env: map[string]string{
			"XENTREE_OPENAI_API_KEY": "sk-1", "XENTREE_ANTHROPIC_API_KEY": "sk-2", "XENTREE_AI_ORDER": "anthropic, openai, offline",
			"XENTREE_AI_TIMEOUT": "90s", "XENTREE_AI_COOLDOWN": "2m", "XENTREE_AI_FAILURES": "5",
		}, check: func(t *testing.T, c Config) {
			d := c.withDefaults()
			if !slices.Equal(d.Order, []string{"anthropic", "openai"}) || d.Timeout != 90*time.Second || d.Cooldown != 2*time.Minute || d.FailureThreshold != 5 {
				t.Errorf("%+v", d)
			}
		}},
		{name: "defaults", env: map[string]string{"XENTREE_OPENAI_API_KEY": "sk-1", "XENTREE_ANTHROPIC_API_KEY": "sk-2"}, check: func(t *testing.T, c Config) {
			d := c.withDefaults()
			if !slices.Equal(d.Order, []string{"openai", "anthropic"}) || d.Timeout != DefaultTimeout || d.Cooldown != DefaultCooldown || d.FailureThreshold != DefaultFailureThreshold {
				t.Errorf("%+v", d)
			}
		}},
		{name: "cool-down 0 disables", env: map[string]string{"XENTREE_AI_COOLDOWN": "0"}, check: func(t *testing.T, c Config) {
			if c.withDefaults().Cooldown >= 0 {
				t.Errorf("cooldown %v", c.Cooldown)
			}
		}},
		{name: "order names an unconfigured provider", env: map[string]string{"XENTREE_OPENAI_API_KEY": "sk-1", "XENTREE_AI_ORDER": "anthropic"}, errs: []string{`"anthropic", which is not configured`}},
		{name: "order repeats", env: map[string]string{"XENTREE_OPENAI_API_KEY": "sk-1", "XENTREE_AI_ORDER": "openai,openai"}, errs: []string{"twice"}},
		{name: "offline only last", env: map[string]string{"XENTREE_OPENAI_API_KEY": "sk-1", "XENTREE_AI_ORDER": "offline,openai"}, errs: []string{"only as the last item"}},
		{name: "auto in order", env: map[string]string{"XENTREE_OPENAI_API_KEY": "sk-1", "XENTREE_AI_ORDER": "auto"}, errs: []string{"only as the last item"}},
		{name: "reserved names", env: map[string]string{"XENTREE_OPENAI_API_KEY": "sk-1", "XENTREE_OPENAI_NAME": "anthropic"}, errs: []string{"must not be auto, offline or anthropic"}},
		{name: "bad name", env: map[string]string{"XENTREE_OPENAI_API_KEY": "sk-1", "XENTREE_OPENAI_NAME": "My Server"}, errs: []string{"lowercase letters"}},
		{name: "bad URL scheme", env: map[string]string{"XENTREE_OPENAI_BASE_URL": "ftp://host/v1", "XENTREE_OPENAI_MODELS": "m"}, errs: []string{"absolute http or https URL"}},
		{name: "relative URL", env: map[string]string{"XENTREE_OPENAI_BASE_URL": "/v1", "XENTREE_OPENAI_MODELS": "m"}, errs: []string{"absolute http or https URL"}},
		{name: "URL with query", env: map[string]string{"XENTREE_OPENAI_BASE_URL": "https://host/v1?key=1", "XENTREE_OPENAI_MODELS": "m"}, errs: []string{"query or fragment"}},
		{name: "models with spaces and twice", env: map[string]string{"XENTREE_OPENAI_API_KEY": "sk-1", "XENTREE_OPENAI_MODELS": "gpt 5,m,m"}, errs: []string{"item 1 is not a model id", `lists "m" twice`}},
		{name: "bad numbers and durations, all reported", env: map[string]string{
			"XENTREE_OPENAI_API_KEY": "sk-1", "XENTREE_OPENAI_MAX_TOKENS": "lots", "XENTREE_AI_TIMEOUT": "0s",
			"XENTREE_AI_COOLDOWN": "forever", "XENTREE_AI_FAILURES": "0", "XENTREE_OPENAI_STREAM_USAGE": "maybe",
		}, errs: []string{"XENTREE_OPENAI_MAX_TOKENS", "XENTREE_AI_TIMEOUT", "XENTREE_AI_COOLDOWN", "XENTREE_AI_FAILURES", "XENTREE_OPENAI_STREAM_USAGE"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ConfigFromEnv(env(tc.env))
			if len(tc.errs) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				tc.check(t, cfg)
				if _, err := NewRouter(cfg, nil); err != nil {
					t.Fatalf("NewRouter: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want %q", tc.errs)
			}
			for _, want := range tc.errs {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
		})
	}
}

// NewRouter validates a Config built in code as ConfigFromEnv does.
func TestNewRouterValidates(t *testing.T) {
	for _, cfg := range []Config{
		{Anthropic: &AnthropicConfig{}},
		{OpenAI: &OpenAIConfig{BaseURL: "http://x/v1"}},
		{OpenAI: &OpenAIConfig{APIKey: "k"}, Order: []string{"ollama"}},
		{FailureThreshold: -1},
	} {
		if _, err := NewRouter(cfg, nil); err == nil {
			t.Errorf("NewRouter(%+v) accepted", cfg)
		}
	}
}

// No secret reaches an error, an Info, a formatted or logged Config.
func TestSecretsStayHidden(t *testing.T) {
	_, err := ConfigFromEnv(env(map[string]string{
		"XENTREE_OPENAI_BASE_URL":      "https://user:" + secretCanary + "@llm.example/v1",
		"XENTREE_OPENAI_MODELS":        "m",
		"XENTREE_OPENAI_MAX_TOKENS":    secretCanary,
		"XENTREE_ANTHROPIC_API_KEY":    secretCanary,
		"XENTREE_ANTHROPIC_MAX_TOKENS": secretCanary,
		"XENTREE_AI_TIMEOUT":           secretCanary,
	}))
	if err == nil || strings.Contains(err.Error(), secretCanary) || !strings.Contains(err.Error(), "must not contain credentials") {
		t.Fatalf("config error %v", err)
	}

	cfg, err := ConfigFromEnv(env(map[string]string{"XENTREE_OPENAI_API_KEY": secretCanary, "XENTREE_ANTHROPIC_API_KEY": secretCanary}))
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("config", "ai", cfg, "openai", cfg.OpenAI, "key", cfg.OpenAI.APIKey)
	asJSON, _ := json.Marshal(cfg)
	for _, out := range []string{
		fmt.Sprintf("%v", cfg), fmt.Sprintf("%+v", *cfg.OpenAI), fmt.Sprintf("%#v", *cfg.Anthropic), fmt.Sprint(cfg.OpenAI.APIKey),
		string(asJSON), logged.String(),
	} {
		if strings.Contains(out, secretCanary) {
			t.Errorf("secret in %q", out)
		}
	}

	oa, an := newUpstream(t, "openai"), newUpstream(t, "anthropic")
	oa.set("401-echo")
	an.set("401-echo")
	r := routerFor(t, oa, an)
	infos, _ := json.Marshal(r.Infos())
	if strings.Contains(string(infos), secretCanary) || strings.Contains(string(infos), oa.srv.URL) {
		t.Errorf("Infos leak: %s", infos)
	}
	_, err = provider(t, r, "auto").Complete(t.Context(), tutorRequest())
	if err != nil || strings.Contains(fmt.Sprintf("%v %+v", err, err), secretCanary) {
		t.Errorf("auto fell back to offline? err %v", err)
	}
	for _, name := range []string{"openai", "anthropic"} {
		_, err := provider(t, r, name).Complete(t.Context(), tutorRequest())
		if err == nil || strings.Contains(fmt.Sprintf("%v|%+v|%#v", err, err, err), secretCanary) {
			t.Errorf("%s error %v leaks the key the upstream echoed", name, err)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		header map[string]string
		want   time.Duration
	}{
		{nil, 0},
		{map[string]string{"Retry-After": "7"}, 7 * time.Second},
		{map[string]string{"Retry-After": "1.5"}, 1500 * time.Millisecond},
		{map[string]string{"Retry-After-Ms": "250", "Retry-After": "7"}, 250 * time.Millisecond},
		{map[string]string{"Retry-After": now.Add(90 * time.Second).Format(http.TimeFormat)}, 90 * time.Second},
		{map[string]string{"Retry-After": now.Add(-time.Minute).Format(http.TimeFormat)}, 0},
		{map[string]string{"Retry-After": "-3"}, 0},
		{map[string]string{"Retry-After": "soon"}, 0},
		{map[string]string{"Retry-After": "99999999"}, 24 * time.Hour},
	} {
		h := http.Header{}
		for k, v := range tc.header {
			h.Set(k, v)
		}
		if got := retryAfter(h, now); got != tc.want {
			t.Errorf("retryAfter(%v) = %v, want %v", tc.header, got, tc.want)
		}
	}
}

func TestLanguageHint(t *testing.T) {
	for code, want := range map[string]string{
		"":      "",
		"de":    "German (de)",
		"pt-BR": "Brazilian Portuguese (pt-BR)",
		"en":    "reply in English",
		"zz-!!": "",
	} {
		got := languageHint(code)
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("languageHint(%q) = %q, want it to mention %q", code, got, want)
		}
	}
}
