package ai

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"

	"github.com/xentree/xentree-api/internal/clock"
)

// anthropicProvider speaks the Anthropic Messages API through the official SDK.
type anthropicProvider struct {
	cfg      AnthropicConfig
	messages anthropic.MessageService
	clock    clock.Clock
	// timeout is the Router's; the SDK wants one for non-streaming calls, else it refuses
	// large max_tokens values for fear of a long wait.
	timeout time.Duration
}

var _ Provider = (*anthropicProvider)(nil)

// newAnthropic builds the client from cfg (already validated). WithoutEnvironmentDefaults keeps
// ANTHROPIC_* variables and profile files of the process out; the SDK's retries are off because
// the Router falls back instead.
func newAnthropic(cfg AnthropicConfig, clk clock.Clock, timeout time.Duration) *anthropicProvider {
	opts := []option.RequestOption{
		option.WithoutEnvironmentDefaults(),
		option.WithHTTPClient(newHTTPClient()),
		option.WithAPIKey(cfg.APIKey.Reveal()),
		option.WithMaxRetries(0),
	}
	if cfg.BaseURL != "" {
		opts = append(opts, option.WithBaseURL(cfg.BaseURL))
	}
	client := anthropic.NewClient(opts...)
	return &anthropicProvider{cfg: cfg, messages: client.Messages, clock: clk, timeout: timeout}
}

func (p *anthropicProvider) Name() string     { return AnthropicName }
func (p *anthropicProvider) Models() []string { return p.cfg.Models }

func (p *anthropicProvider) params(req Request) anthropic.MessageNewParams {
	pr := buildPrompt(req)
	model := req.Model
	if model == "" {
		model = p.cfg.Models[0]
	}
	turns := pr.turns
	if len(turns) > 0 && turns[0].Role == RoleAssistant {
		// The Messages API opens with a user turn; a history that starts with the tutor's
		// greeting gets a neutral one.
		turns = append([]Message{{Role: RoleUser, Content: "(The conversation starts.)"}}, turns...)
	}
	msgs := make([]anthropic.MessageParam, 0, len(turns))
	for _, t := range turns {
		block := anthropic.NewTextBlock(t.Content)
		if t.Role == RoleAssistant {
			msgs = append(msgs, anthropic.NewAssistantMessage(block))
		} else {
			msgs = append(msgs, anthropic.NewUserMessage(block))
		}
	}
	params := anthropic.MessageNewParams{
		Model:     anthropic.Model(model),
		MaxTokens: int64(firstNonZero(req.MaxTokens, p.cfg.MaxTokens)),
		Messages:  msgs,
	}
	if pr.system != "" {
		params.System = []anthropic.TextBlockParam{{Text: pr.system}}
	}
	return params
}

func (p *anthropicProvider) Complete(ctx context.Context, req Request) (*Response, error) {
	params := p.params(req)
	var raw *http.Response
	msg, err := p.messages.New(ctx, params, option.WithResponseInto(&raw), option.WithRequestTimeout(p.timeout))
	if err != nil {
		return nil, p.fail(err, raw)
	}
	var text strings.Builder
	for _, block := range msg.Content {
		if block.Type == "text" {
			text.WriteString(block.Text)
		}
	}
	content := text.String()
	if req.JSON {
		// The Messages API has no schema-free JSON mode: the system prompt asks for an object
		// and whatever the model wraps around it is trimmed.
		content = extractJSON(content)
	}
	resp := &Response{Provider: p.Name(), Model: string(params.Model), Content: content}
	if msg.JSON.Usage.Valid() {
		u := msg.Usage
		resp.Usage = anthropicUsage(u.InputTokens+u.CacheCreationInputTokens+u.CacheReadInputTokens, u.OutputTokens)
	}
	return resp, nil
}

func (p *anthropicProvider) Stream(ctx context.Context, req Request, onDelta func(string) error) (*Response, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends the upstream request however the loop below is left
	params := p.params(req)
	var raw *http.Response
	stream := p.messages.NewStreaming(ctx, params, option.WithResponseInto(&raw))
	defer stream.Close()
	resp := &Response{Provider: p.Name(), Model: string(params.Model)}
	var text []byte
	var input, output int64
	var sawUsage bool
	for stream.Next() {
		ev := stream.Current()
		switch ev.Type {
		case "message_start":
			u := ev.Message.Usage
			input = u.InputTokens + u.CacheCreationInputTokens + u.CacheReadInputTokens
			output, sawUsage = u.OutputTokens, ev.Message.JSON.Usage.Valid()
		case "message_delta":
			// Cumulative counts; input may be restated.
			if ev.JSON.Usage.Valid() {
				u := ev.Usage
				if in := u.InputTokens + u.CacheCreationInputTokens + u.CacheReadInputTokens; in > 0 {
					input = in
				}
				output, sawUsage = u.OutputTokens, true
			}
		case "content_block_delta":
			if ev.Delta.Type != "text_delta" || ev.Delta.Text == "" {
				continue
			}
			text = append(text, ev.Delta.Text...)
			if err := onDelta(ev.Delta.Text); err != nil {
				return nil, err
			}
		}
	}
	if err := stream.Err(); err != nil {
		return nil, p.fail(err, raw)
	}
	resp.Content = string(text)
	if sawUsage {
		resp.Usage = anthropicUsage(input, output)
	}
	return resp, nil
}

// Statuses of the error types Anthropic sends inside a 200 stream.
var anthropicErrorStatus = map[string]int{
	"rate_limit_error":     http.StatusTooManyRequests,
	"overloaded_error":     529,
	"api_error":            http.StatusInternalServerError,
	"timeout_error":        http.StatusGatewayTimeout,
	"authentication_error": http.StatusUnauthorized,
	"permission_error":     http.StatusForbidden,
	"not_found_error":      http.StatusNotFound,
	"billing_error":        http.StatusPaymentRequired,
}

// fail maps an SDK error. The SDK's *Error text includes the request URL and the upstream body,
// so only its status, headers and error type are kept.
func (p *anthropicProvider) fail(err error, raw *http.Response) error {
	status, header, code := 0, http.Header(nil), ""
	var apiErr *anthropic.Error
	if errors.As(err, &apiErr) {
		status, code = apiErr.StatusCode, string(apiErr.Type())
		if apiErr.Response != nil {
			header = apiErr.Response.Header
		}
		if status < 400 { // an error event mid-stream
			status = anthropicErrorStatus[code]
			if status == 0 {
				status = http.StatusBadGateway
			}
		}
	} else if raw != nil && raw.StatusCode >= 400 {
		status, header = raw.StatusCode, raw.Header
	} else if raw != nil && raw.StatusCode < 400 && isStreamErrorText(err) {
		return &Error{Provider: p.Name(), Status: http.StatusBadGateway, Err: errors.New("the upstream reported an error mid-stream")}
	}
	return upstreamError(p.Name(), err, status, header, code, p.clock.Now())
}

// isStreamErrorText recognises the SDK's plain error for an error event it could not parse.
func isStreamErrorText(err error) bool {
	return strings.HasPrefix(err.Error(), "received error while streaming")
}

func anthropicUsage(input, output int64) *Usage {
	return &Usage{PromptTokens: int(input), CompletionTokens: int(output), TotalTokens: int(input + output)}
}
