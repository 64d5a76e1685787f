package ai

import (
	"context"
	"unicode"

	"github.com/xentree/xentree-api/internal/ai/tutor"
)

// The offline tutor as a Provider: named for what it is, in provider and model alike.
const (
	OfflineModel = "xentree-offline-tutor-1"
	OfflineLabel = "Offline tutor (no AI model)"
)

// Passage is a piece of text a Retriever found (the shipped study notes, the caller's
// knowledge documents).
type Passage = tutor.Passage

// Retriever finds passages for the offline tutor; the server implements it with full-text
// search over what the user may read. Queries are plain words, never search syntax.
type Retriever = tutor.Retriever

type offlineProvider struct{ tutor *tutor.Tutor }

var _ Provider = (*offlineProvider)(nil)

func newOffline(retriever Retriever) (*offlineProvider, error) {
	t, err := tutor.New(retriever)
	if err != nil {
		return nil, err
	}
	return &offlineProvider{tutor: t}, nil
}

func (p *offlineProvider) Name() string     { return OfflineName }
func (p *offlineProvider) Models() []string { return []string{OfflineModel} }

func (p *offlineProvider) Complete(ctx context.Context, req Request) (*Response, error) {
	if req.JSON {
		return nil, &Error{Provider: OfflineName, Err: ErrNotSupported}
	}
	q := tutor.Question{UserID: req.UserID, Language: req.Language}
	last := len(req.Messages) - 1
	for last >= 0 && req.Messages[last].Role != RoleUser {
		last--
	}
	for i, m := range req.Messages {
		switch {
		case i == last:
			q.Message = m.Content
		case m.Role == RoleUser || m.Role == RoleAssistant:
			q.History = append(q.History, tutor.Turn{Assistant: m.Role == RoleAssistant, Text: m.Content})
		}
	}
	answer, err := p.tutor.Answer(ctx, q)
	if err != nil {
		return nil, &Error{Provider: OfflineName, Err: err}
	}
	// No tokens are counted: usage is for model calls.
	return &Response{Provider: OfflineName, Model: OfflineModel, Content: answer}, nil
}

// Stream delivers the answer in word-sized pieces (each word with the spaces before it), so
// clients render it like any other stream.
func (p *offlineProvider) Stream(ctx context.Context, req Request, onDelta func(string) error) (*Response, error) {
	resp, err := p.Complete(ctx, req)
	if err != nil {
		return nil, err
	}
	for piece := range words(resp.Content) {
		if err := ctx.Err(); err != nil {
			return nil, &Error{Provider: OfflineName, Err: err}
		}
		if err := onDelta(piece); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// words yields s in pieces that concatenate back to s: leading space, then a word.
func words(s string) func(yield func(string) bool) {
	return func(yield func(string) bool) {
		start, inWord := 0, false
		for i, r := range s {
			space := unicode.IsSpace(r)
			if space && inWord {
				if !yield(s[start:i]) {
					return
				}
				start = i
			}
			inWord = !space
		}
		if start < len(s) {
			yield(s[start:])
		}
	}
}
