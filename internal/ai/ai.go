// Package ai is the provider layer behind the AI tutor, RAG answers and the XEL evaluator: one
// small interface (Provider) implemented by an OpenAI-compatible chat-completions client, an
// Anthropic Messages client and the built-in offline tutor, and a Router that resolves "auto"
// to the first healthy provider and falls back on errors, timeouts and 429s.
//
// Callers never pass user-supplied URLs or keys here: providers are built once from the
// server's configuration.
package ai

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Role is the speaker of a Message.
type Role string

// The roles of a conversation. A RoleSystem turn inside Messages (stateless clients may send
// one) is folded into the system prompt by every provider.
const (
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
	RoleSystem    Role = "system"
)

// Message is one turn of a conversation.
type Message struct {
	Role    Role
	Content string
}

// Request is one completion request, provider-neutral.
type Request struct {
	// Model names the provider's model; "" takes the provider's default.
	Model string
	// System is the system prompt ("" for none).
	System string
	// Messages are the turns, oldest first, ending with the user's latest one.
	Messages []Message
	// Language is the learner's language hint (ISO 639-1, e.g. "de"); "" for none.
	Language string
	// MaxTokens bounds the reply (0: the provider's default).
	MaxTokens int
	// JSON asks for a single JSON object as the reply (structured evaluators).
	JSON bool
	// UserID is whose content the offline tutor may retrieve from; it never leaves the server.
	UserID string
}

// Usage is the token accounting a provider reported.
type Usage struct {
	PromptTokens     int
	CompletionTokens int
	TotalTokens      int
}

// Response is a finished completion.
type Response struct {
	// Provider and Model name what actually answered (after routing and fallback).
	Provider string
	Model    string
	Content  string
	// Usage is nil when the provider reported none.
	Usage *Usage
}

// Provider is one configured AI backend.
type Provider interface {
	// Name is the provider's id in the API ("openai", "anthropic", "offline", ...).
	Name() string
	// Models lists the models callers may ask for; the first is the default.
	Models() []string
	// Complete returns the whole reply.
	Complete(ctx context.Context, req Request) (*Response, error)
	// Stream calls onDelta with each piece of text as it arrives and returns the whole reply.
	// An error from onDelta (the client went away) stops the upstream call and is returned.
	Stream(ctx context.Context, req Request, onDelta func(string) error) (*Response, error)
}

// Error is a provider failure with what the router needs to decide on a fallback.
type Error struct {
	Provider string
	// Status is the upstream HTTP status (0 when the call never got an answer).
	Status int
	// RetryAfter is the upstream's Retry-After, when it sent one.
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("%s: upstream status %d: %v", e.Provider, e.Status, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Provider, e.Err)
}

// Unwrap exposes the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errors callers map to HTTP answers.
var (
	// ErrUnknownProvider: the requested provider is not configured.
	ErrUnknownProvider = errors.New("unknown provider")
	// ErrUnknownModel: the requested model is not offered by the provider.
	ErrUnknownModel = errors.New("unknown model")
	// ErrAllFailed: every candidate provider failed or was cooling down; it wraps the last
	// failure (an *Error, whose RetryAfter the caller may pass on).
	ErrAllFailed = errors.New("all providers failed")
	// ErrTimeout: the provider did not answer (or, streaming, made no progress) within the
	// per-call timeout.
	ErrTimeout = errors.New("provider timed out")
	// ErrNotSupported: the provider cannot serve this kind of request (the offline tutor and
	// Request.JSON).
	ErrNotSupported = errors.New("not supported by this provider")
)
