package ai

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/ssestream"
	"github.com/openai/openai-go/v3/shared"

	"github.com/xentree/xentree-api/internal/clock"
)

const openAIBaseURL = "https://api.openai.com/v1/"

// openAIProvider speaks OpenAI chat completions through the official SDK; the base URL makes it
// any compatible server (vLLM, Ollama, LM Studio, OpenRouter).
type openAIProvider struct {
	cfg   OpenAIConfig
	chat  openai.ChatCompletionService
	clock clock.Clock
	// official: the endpoint is OpenAI's own, which wants max_completion_tokens.
	official bool
}

var _ Provider = (*openAIProvider)(nil)

// newOpenAI builds the client from cfg (already validated). The chat service is built from
// explicit options only, so no OPENAI_* variable of the process environment can redirect it or
// add credentials; the SDK's retries are off because the Router falls back instead.
func newOpenAI(cfg OpenAIConfig, clk clock.Clock) *openAIProvider {
	base := cfg.BaseURL
	if base == "" {
		base = openAIBaseURL
	}
	return &openAIProvider{
		cfg: cfg,
		chat: openai.NewChatCompletionService(
			option.WithHTTPClient(newHTTPClient()),
			option.WithBaseURL(base),
			option.WithAPIKey(cfg.APIKey.Reveal()),
			option.WithMaxRetries(0),
		),
		clock:    clk,
		official: isOfficialOpenAI(cfg.BaseURL),
	}
}

// isOfficialOpenAI tells whether base is OpenAI's own API ("" is its default).
func isOfficialOpenAI(base string) bool {
	if base == "" {
		return true
	}
	u, err := url.Parse(base)
	return err == nil && strings.EqualFold(u.Hostname(), "api.openai.com")
}

func (p *openAIProvider) Name() string     { return p.cfg.Name }
func (p *openAIProvider) Models() []string { return p.cfg.Models }

func (p *openAIProvider) params(req Request) openai.ChatCompletionNewParams {
	pr := buildPrompt(req)
	model := req.Model
	if model == "" {
		model = p.cfg.Models[0]
	}
	msgs := make([]openai.ChatCompletionMessageParamUnion, 0, len(pr.turns)+1)
	if pr.system != "" {
		msgs = append(msgs, openai.SystemMessage(pr.system))
	}
	for _, t := range pr.turns {
		if t.Role == RoleAssistant {
			msgs = append(msgs, openai.AssistantMessage(t.Content))
		} else {
			msgs = append(msgs, openai.UserMessage(t.Content))
		}
	}
	params := openai.ChatCompletionNewParams{Model: shared.ChatModel(model), Messages: msgs}
	if n := firstNonZero(req.MaxTokens, p.cfg.MaxTokens); n > 0 {
		if p.official {
			params.MaxCompletionTokens = openai.Int(int64(n))
		} else {
			params.MaxTokens = openai.Int(int64(n))
		}
	}
	if req.JSON {
		params.ResponseFormat.OfJSONObject = &shared.ResponseFormatJSONObjectParam{}
	}
	return params
}

// firstNonZero is the first non-zero of its arguments.
func firstNonZero(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

func (p *openAIProvider) Complete(ctx context.Context, req Request) (*Response, error) {
	params := p.params(req)
	var raw *http.Response
	res, err := p.chat.New(ctx, params, option.WithResponseInto(&raw))
	if err != nil {
		return nil, p.fail(err, raw)
	}
	if len(res.Choices) == 0 {
		return nil, &Error{Provider: p.Name(), Err: errors.New("the reply had no choices")}
	}
	return &Response{
		Provider: p.Name(),
		Model:    string(params.Model),
		Content:  res.Choices[0].Message.Content,
		Usage:    openAIUsage(res.Usage, res.JSON.Usage.Valid()),
	}, nil
}

func (p *openAIProvider) Stream(ctx context.Context, req Request, onDelta func(string) error) (*Response, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // ends the upstream request however the loop below is left
	params := p.params(req)
	if !p.cfg.NoStreamUsage {
		params.StreamOptions.IncludeUsage = openai.Bool(true)
	}
	var raw *http.Response
	stream := p.chat.NewStreaming(ctx, params, option.WithResponseInto(&raw))
	defer stream.Close()
	resp := &Response{Provider: p.Name(), Model: string(params.Model)}
	var text []byte
	for stream.Next() {
		chunk := stream.Current()
		if chunk.JSON.Usage.Valid() {
			resp.Usage = openAIUsage(chunk.Usage, true)
		}
		if len(chunk.Choices) == 0 || chunk.Choices[0].Delta.Content == "" {
			continue
		}
		delta := chunk.Choices[0].Delta.Content
		text = append(text, delta...)
		if err := onDelta(delta); err != nil {
			return nil, err
		}
	}
	if err := stream.Err(); err != nil {
		var se *ssestream.StreamError
		if errors.As(err, &se) {
			// An error event mid-stream: its text is the upstream's, so only the fact is kept.
			return nil, &Error{Provider: p.Name(), Status: http.StatusBadGateway, Err: errors.New("the upstream reported an error mid-stream")}
		}
		return nil, p.fail(err, raw)
	}
	resp.Content = string(text)
	return resp, nil
}

// fail maps an SDK error; raw is the HTTP response when there was one (the SDK's *Error loses
// the status when an error body is not JSON, the raw response never does).
func (p *openAIProvider) fail(err error, raw *http.Response) error {
	status, header, code := 0, http.Header(nil), ""
	var apiErr *openai.Error
	if errors.As(err, &apiErr) {
		status, code = apiErr.StatusCode, apiErr.Type
		if apiErr.Code != "" {
			code = apiErr.Code
		}
		if apiErr.Response != nil {
			header = apiErr.Response.Header
		}
	}
	if raw != nil && raw.StatusCode >= 400 && status == 0 {
		status, header = raw.StatusCode, raw.Header
	}
	return upstreamError(p.Name(), err, status, header, code, p.clock.Now())
}

func openAIUsage(u openai.CompletionUsage, valid bool) *Usage {
	if !valid {
		return nil
	}
	total := u.TotalTokens
	if total == 0 {
		total = u.PromptTokens + u.CompletionTokens
	}
	return &Usage{PromptTokens: int(u.PromptTokens), CompletionTokens: int(u.CompletionTokens), TotalTokens: int(total)}
}
