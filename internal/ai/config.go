package ai

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/xentree/xentree-api/internal/clock"
)

// Defaults of the provider settings.
const (
	DefaultTimeout          = 60 * time.Second
	DefaultCooldown         = 30 * time.Second
	DefaultFailureThreshold = 3
	// DefaultOpenAIModel is the model of the official OpenAI endpoint when none is configured.
	DefaultOpenAIModel = "gpt-5-mini"
	// DefaultAnthropicModel is the Anthropic model when none is configured.
	DefaultAnthropicModel = "claude-haiku-4-5"
	// DefaultAnthropicMaxTokens bounds Anthropic replies (the API requires a bound).
	DefaultAnthropicMaxTokens = 1024
)

// The fixed provider ids.
const (
	AutoName      = "auto"
	OfflineName   = "offline"
	AnthropicName = "anthropic"
	OpenAIName    = "openai"
)

// Secret is a credential. It formats, logs and marshals as "[redacted]", so a Config can be
// printed or logged whole; Reveal is the only way to the value.
type Secret string

const redacted = "[redacted]"

// Reveal returns the secret's value.
func (s Secret) Reveal() string { return string(s) }

// String redacts.
func (s Secret) String() string { return redacted }

// GoString redacts (%#v).
func (s Secret) GoString() string { return redacted }

// LogValue redacts (log/slog).
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText redacts (encoding/json and friends).
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// Config configures the Router. The zero Config serves the offline tutor alone.
type Config struct {
	// OpenAI is an OpenAI-compatible chat-completions endpoint (OpenAI, vLLM, Ollama, LM Studio,
	// OpenRouter); nil when none is configured.
	OpenAI *OpenAIConfig
	// Anthropic is the Anthropic Messages API; nil when not configured.
	Anthropic *AnthropicConfig
	// Order lists the provider ids "auto" tries, first to last; the offline tutor always comes
	// after them. Empty: every configured provider, OpenAI-compatible first. A configured provider
	// left out of a non-empty Order is still selectable by name, just never chosen by "auto".
	Order []string
	// Timeout bounds each call to a provider: the whole call for Complete, and for Stream the
	// wait for the first delta and between deltas (a slow but steady stream is not cut).
	Timeout time.Duration
	// Cooldown is how long "auto" skips a provider after FailureThreshold consecutive failures
	// (or after a 429, for its Retry-After up to Cooldown). 0 takes DefaultCooldown; negative
	// disables cool-downs.
	Cooldown         time.Duration
	FailureThreshold int
	// Clock dates cool-downs and HTTP-date Retry-After values; nil is the system clock.
	Clock clock.Clock
}

// OpenAIConfig is one OpenAI-compatible endpoint.
type OpenAIConfig struct {
	// Name is the provider id in the API (default "openai"; e.g. "ollama").
	Name string
	// Label is the display name (default "OpenAI" for "openai", else the id).
	Label string
	// BaseURL is the API root including /v1 (default https://api.openai.com/v1).
	BaseURL string
	// APIKey is optional: local servers (Ollama, LM Studio) need none.
	APIKey Secret
	// Models callers may pick; the first is the default. Required with a BaseURL.
	Models []string
	// MaxTokens is the default reply bound (0: none unless the request sets one). It is sent as
	// max_completion_tokens to OpenAI itself and as max_tokens to other servers, which is what
	// each understands.
	MaxTokens int
	// NoStreamUsage stops asking for usage on streams (stream_options.include_usage), for the
	// rare server that rejects the option.
	NoStreamUsage bool
}

// AnthropicConfig is the Anthropic Messages API.
type AnthropicConfig struct {
	// BaseURL is the API root without /v1 (default https://api.anthropic.com).
	BaseURL string
	APIKey  Secret
	// Models callers may pick; the first is the default.
	Models []string
	// MaxTokens is the default max_tokens (the API requires one; default 1024).
	MaxTokens int
}

// ConfigFromEnv reads the provider settings from environment variables (getenv is os.Getenv in
// production). Errors name the variable, never its value. See docs/providers.md.
//
//	XENTREE_OPENAI_API_KEY      key of the OpenAI-compatible endpoint (optional for local servers)
//	XENTREE_OPENAI_BASE_URL     its API root, e.g. http://localhost:11434/v1 (default OpenAI's)
//	XENTREE_OPENAI_MODELS       comma list, first is the default (default gpt-5-mini for OpenAI)
//	XENTREE_OPENAI_NAME         provider id in the API (default openai), e.g. ollama
//	XENTREE_OPENAI_LABEL        display name (default OpenAI, or the id)
//	XENTREE_OPENAI_MAX_TOKENS   default reply bound (default none)
//	XENTREE_OPENAI_STREAM_USAGE false to stop asking for usage on streams (default true)
//	XENTREE_ANTHROPIC_API_KEY   enables Anthropic
//	XENTREE_ANTHROPIC_BASE_URL  its API root (default https://api.anthropic.com)
//	XENTREE_ANTHROPIC_MODELS    comma list, first is the default (default claude-haiku-4-5)
//	XENTREE_ANTHROPIC_MAX_TOKENS default max_tokens (default 1024)
//	XENTREE_AI_ORDER            provider ids "auto" tries in order (offline is always last)
//	XENTREE_AI_TIMEOUT          per-call timeout, Go duration (default 60s)
//	XENTREE_AI_COOLDOWN         cool-down of a failing provider (default 30s, 0 disables)
//	XENTREE_AI_FAILURES         consecutive failures that start a cool-down (default 3)
//
// An OpenAI-compatible provider is enabled by a key or by a base URL; Anthropic by its key.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	env := func(k string) string { return strings.TrimSpace(getenv(k)) }
	var cfg Config
	var errs []error
	fail := func(format string, a ...any) { errs = append(errs, fmt.Errorf("ai: "+format, a...)) }

	intVar := func(k string, min, max int) int {
		v := env(k)
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < min || n > max {
			fail("%s must be an integer from %d to %d", k, min, max)
		}
		return n
	}
	durVar := func(k string, min, max time.Duration) (time.Duration, bool) {
		v := env(k)
		if v == "" {
			return 0, false
		}
		d, err := time.ParseDuration(v)
		if err != nil || d < min || d > max {
			fail("%s must be a duration from %s to %s (e.g. 30s)", k, min, max)
			return 0, false
		}
		return d, true
	}

	if key, base := env("XENTREE_OPENAI_API_KEY"), env("XENTREE_OPENAI_BASE_URL"); key != "" || base != "" {
		o := &OpenAIConfig{
			Name:      env("XENTREE_OPENAI_NAME"),
			Label:     env("XENTREE_OPENAI_LABEL"),
			BaseURL:   base,
			APIKey:    Secret(key),
			Models:    splitList(env("XENTREE_OPENAI_MODELS")),
			MaxTokens: intVar("XENTREE_OPENAI_MAX_TOKENS", 1, 1_000_000),
		}
		switch strings.ToLower(env("XENTREE_OPENAI_STREAM_USAGE")) {
		case "", "true", "1", "yes":
		case "false", "0", "no":
			o.NoStreamUsage = true
		default:
			fail("XENTREE_OPENAI_STREAM_USAGE must be true or false")
		}
		cfg.OpenAI = o
	} else if env("XENTREE_OPENAI_MODELS") != "" || env("XENTREE_OPENAI_NAME") != "" {
		fail("XENTREE_OPENAI_MODELS or XENTREE_OPENAI_NAME is set without XENTREE_OPENAI_API_KEY or XENTREE_OPENAI_BASE_URL")
	}

	if key := env("XENTREE_ANTHROPIC_API_KEY"); key != "" {
		cfg.Anthropic = &AnthropicConfig{
			BaseURL:   env("XENTREE_ANTHROPIC_BASE_URL"),
			APIKey:    Secret(key),
			Models:    splitList(env("XENTREE_ANTHROPIC_MODELS")),
			MaxTokens: intVar("XENTREE_ANTHROPIC_MAX_TOKENS", 1, 1_000_000),
		}
	} else if env("XENTREE_ANTHROPIC_BASE_URL") != "" || env("XENTREE_ANTHROPIC_MODELS") != "" {
		fail("XENTREE_ANTHROPIC_BASE_URL or XENTREE_ANTHROPIC_MODELS is set without XENTREE_ANTHROPIC_API_KEY")
	}

	cfg.Order = splitList(env("XENTREE_AI_ORDER"))
	cfg.Timeout, _ = durVar("XENTREE_AI_TIMEOUT", time.Second, 10*time.Minute)
	if d, ok := durVar("XENTREE_AI_COOLDOWN", 0, time.Hour); ok {
		cfg.Cooldown = d
		if d == 0 {
			cfg.Cooldown = -1
		}
	}
	cfg.FailureThreshold = intVar("XENTREE_AI_FAILURES", 1, 100)

	if err := cfg.withDefaults().validate(); err != nil {
		errs = append(errs, err)
	}
	return cfg, errors.Join(errs...)
}

// splitList splits a comma list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// withDefaults returns a copy with every default filled in.
func (c Config) withDefaults() Config {
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Cooldown == 0 {
		c.Cooldown = DefaultCooldown
	}
	if c.FailureThreshold == 0 {
		c.FailureThreshold = DefaultFailureThreshold
	}
	if c.Clock == nil {
		c.Clock = clock.System{}
	}
	if c.OpenAI != nil {
		o := *c.OpenAI
		if o.Name == "" {
			o.Name = OpenAIName
		}
		if o.Label == "" {
			o.Label = o.Name
			if o.Name == OpenAIName {
				o.Label = "OpenAI"
			}
		}
		if len(o.Models) == 0 && o.BaseURL == "" {
			o.Models = []string{DefaultOpenAIModel}
		}
		c.OpenAI = &o
	}
	if c.Anthropic != nil {
		a := *c.Anthropic
		if len(a.Models) == 0 {
			a.Models = []string{DefaultAnthropicModel}
		}
		if a.MaxTokens == 0 {
			a.MaxTokens = DefaultAnthropicMaxTokens
		}
		c.Anthropic = &a
	}
	if len(c.Order) == 0 {
		if c.OpenAI != nil {
			c.Order = append(c.Order, c.OpenAI.Name)
		}
		if c.Anthropic != nil {
			c.Order = append(c.Order, AnthropicName)
		}
	}
	// The offline tutor is always last; listing it is allowed only there.
	if n := len(c.Order); n > 0 && c.Order[n-1] == OfflineName {
		c.Order = c.Order[:n-1]
	}
	return c
}

var (
	providerID = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,63}$`)
	// A model id: no spaces or control characters, at most 128 bytes (the API's bound).
	modelID = regexp.MustCompile(`^[\x21-\x7e]{1,128}$`)
)

// validate checks a Config that went through withDefaults. Messages name settings, not values.
func (c Config) validate() error {
	var errs []error
	fail := func(format string, a ...any) { errs = append(errs, fmt.Errorf("ai: "+format, a...)) }
	names := map[string]bool{AutoName: true, OfflineName: true}
	if c.OpenAI != nil {
		o := c.OpenAI
		switch {
		case !providerID.MatchString(o.Name):
			fail("OpenAI-compatible provider id (XENTREE_OPENAI_NAME) must be lowercase letters, digits, - or _ (at most 64)")
		case names[o.Name] || o.Name == AnthropicName:
			fail("OpenAI-compatible provider id (XENTREE_OPENAI_NAME) must not be auto, offline or anthropic")
		}
		names[o.Name] = true
		if o.BaseURL != "" {
			if err := checkBaseURL(o.BaseURL); err != nil {
				fail("OpenAI-compatible base URL (XENTREE_OPENAI_BASE_URL) %v", err)
			}
		}
		if len(o.Models) == 0 {
			fail("XENTREE_OPENAI_MODELS is required with XENTREE_OPENAI_BASE_URL (the server's models, e.g. llama3.2)")
		}
		errs = append(errs, checkModels("XENTREE_OPENAI_MODELS", o.Models)...)
		if strings.ContainsFunc(o.APIKey.Reveal(), unicode.IsControl) {
			fail("XENTREE_OPENAI_API_KEY contains control characters")
		}
		if o.MaxTokens < 0 {
			fail("OpenAI MaxTokens must not be negative")
		}
	}
	if c.Anthropic != nil {
		a := c.Anthropic
		names[AnthropicName] = true
		if a.BaseURL != "" {
			if err := checkBaseURL(a.BaseURL); err != nil {
				fail("Anthropic base URL (XENTREE_ANTHROPIC_BASE_URL) %v", err)
			}
		}
		if a.APIKey == "" {
			fail("XENTREE_ANTHROPIC_API_KEY is required for Anthropic")
		}
		if strings.ContainsFunc(a.APIKey.Reveal(), unicode.IsControl) {
			fail("XENTREE_ANTHROPIC_API_KEY contains control characters")
		}
		errs = append(errs, checkModels("XENTREE_ANTHROPIC_MODELS", a.Models)...)
		if a.MaxTokens < 1 {
			fail("Anthropic MaxTokens must be positive")
		}
	}
	for i, name := range c.Order {
		switch {
		case name == AutoName || name == OfflineName:
			fail("XENTREE_AI_ORDER: %q may appear only as the last item (it always is)", name)
		case !names[name]:
			if providerID.MatchString(name) {
				fail("XENTREE_AI_ORDER names %q, which is not configured", name)
			} else {
				fail("XENTREE_AI_ORDER item %d is not a provider id", i+1)
			}
		case slices.Index(c.Order, name) != i:
			fail("XENTREE_AI_ORDER lists %q twice", name)
		}
	}
	if c.Timeout < 0 {
		fail("the timeout must be positive")
	}
	if c.FailureThreshold < 1 {
		fail("the failure threshold must be at least 1")
	}
	return errors.Join(errs...)
}

func checkModels(setting string, models []string) []error {
	var errs []error
	for i, m := range models {
		if !modelID.MatchString(m) {
			errs = append(errs, fmt.Errorf("ai: %s item %d is not a model id (printable ASCII without spaces, at most 128)", setting, i+1))
		}
		if slices.Index(models, m) != i {
			errs = append(errs, fmt.Errorf("ai: %s lists %q twice", setting, m))
		}
	}
	return errs
}

// checkBaseURL accepts an absolute http(s) URL without credentials, query or fragment: keys go
// in their own setting, where they are kept out of errors and logs.
func checkBaseURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https"):
		return errors.New("must be an absolute http or https URL")
	case u.User != nil:
		return errors.New("must not contain credentials (use the API key setting)")
	case u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(raw, "?") || strings.Contains(raw, "#"):
		return errors.New("must not have a query or fragment")
	}
	return nil
}
