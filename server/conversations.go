package server

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/oapi-codegen/nullable"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/internal/ai"
	"github.com/xentree/xentree-api/internal/conversation"
	"github.com/xentree/xentree-api/store"
)

// ConversationsAPI implements conversations with AI tutors, learning sessions and content search.
//
// Chat lives in chat.go, learning sessions in learning.go. Every write to a conversation (an
// exchange stored, a session started, credited or ended, the conversation deleted) runs in one
// transaction holding the conversation's row lock, so writes to one conversation serialize
// across replicas; reads need no lock.
type ConversationsAPI struct{ *deps }

// Defaults and bounds of the conversation settings.
const (
	defaultChatRateLimit     = 20
	maxChatMessageChars      = 32000 // ChatRequest.message's maxLength
	defaultChatHistoryTurns  = 40
	defaultChatHistoryChars  = 48000
	defaultLearningCreditCap = 2 * time.Minute
	defaultLearningIdle      = 15 * time.Minute
)

func (c *Config) chatDefaults() {
	if c.ChatRateLimit == 0 {
		c.ChatRateLimit = defaultChatRateLimit
	}
	if c.ChatMaxMessageChars == 0 {
		c.ChatMaxMessageChars = maxChatMessageChars
	}
	if c.ChatHistoryTurns == 0 {
		c.ChatHistoryTurns = defaultChatHistoryTurns
	}
	if c.ChatHistoryChars == 0 {
		c.ChatHistoryChars = defaultChatHistoryChars
	}
	if c.LearningCreditCap == 0 {
		c.LearningCreditCap = defaultLearningCreditCap
	}
	if c.LearningIdleTimeout == 0 {
		c.LearningIdleTimeout = defaultLearningIdle
	}
}

// checkChat refuses conversation settings that cannot work (after defaults).
func (c *Config) checkChat() error {
	switch {
	case c.ChatRateLimit < 1:
		return fmt.Errorf("chat rate limit must be at least 1 a minute, got %d", c.ChatRateLimit)
	case c.ChatMaxMessageChars < 1 || c.ChatMaxMessageChars > maxChatMessageChars:
		return fmt.Errorf("chat message limit must be 1 to %d characters, got %d", maxChatMessageChars, c.ChatMaxMessageChars)
	case c.ChatHistoryTurns < 1 || c.ChatHistoryChars < 1:
		return fmt.Errorf("chat history limits must be at least 1 (turns %d, characters %d)", c.ChatHistoryTurns, c.ChatHistoryChars)
	}
	for name, d := range map[string]time.Duration{"credit cap": c.LearningCreditCap, "idle timeout": c.LearningIdleTimeout} {
		if d < time.Second || d%time.Second != 0 {
			return fmt.Errorf("learning session %s must be whole seconds, at least 1: %s", name, d)
		}
	}
	if c.LearningIdleTimeout < c.LearningCreditCap {
		return fmt.Errorf("learning session idle timeout (%s) must not be shorter than the credit cap (%s)", c.LearningIdleTimeout, c.LearningCreditCap)
	}
	return nil
}

// Conversation refusals.
var (
	errConversationMissing = notFoundError("Conversation")
	errInvalidTitle        = unprocessable("invalid_title", "The title must not contain control or invisible formatting characters")
)

// conversationOf loads one of the caller's conversations (404 for anyone else's).
func (a *ConversationsAPI) conversationOf(ctx context.Context, p *Principal, id string) (*store.Conversation, error) {
	c, err := a.store.ConversationOf(ctx, id, p.User.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errConversationMissing
	}
	return c, err
}

// lockConversation is conversationOf holding the conversation's lock in tx.
func lockConversation(ctx context.Context, tx *store.Store, p *Principal, id string) (*store.Conversation, error) {
	c, err := tx.LockConversation(ctx, id, p.User.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errConversationMissing
	}
	return c, err
}

// ListProviders lists "auto" first, then every configured provider with its models and whether
// it is available now (not cooling down after failures).
func (a *ConversationsAPI) ListProviders(ctx context.Context, _ api.ListProvidersRequestObject) (api.ListProvidersResponseObject, error) {
	infos := a.ai.Infos()
	out := make(api.ListProviders200JSONResponse, len(infos))
	for i, in := range infos {
		out[i] = api.ProviderInfo{Id: in.ID, Name: in.Name, Available: in.Available, Models: append([]string{}, in.Models...),
			DefaultModel: nullable.NewNullNullable[string]()}
		if in.DefaultModel != "" {
			out[i].DefaultModel = nullable.NewNullableWithValue(in.DefaultModel)
		}
	}
	return out, nil
}

// ListConversations lists the caller's conversations, most recently active first.
func (a *ConversationsAPI) ListConversations(ctx context.Context, req api.ListConversationsRequestObject) (api.ListConversationsResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	limit, offset := page(req.Params.Limit, req.Params.Offset)
	rows, err := a.store.ListConversations(ctx, p.User.ID, limit, offset)
	if err != nil {
		return nil, err
	}
	out := make(api.ListConversations200JSONResponse, len(rows))
	for i := range rows {
		out[i] = conversationResponse(&rows[i])
	}
	return out, nil
}

// CreateConversation creates an empty conversation after checking its provider and model
// against what this server has configured.
func (a *ConversationsAPI) CreateConversation(ctx context.Context, req api.CreateConversationRequestObject) (api.CreateConversationResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	b := req.Body
	c := &store.Conversation{UserID: p.User.ID, Title: conversation.DefaultTitle, TitleFromChat: true, Provider: ai.AutoName,
		Model: emptyToNil(b.Model), SystemPrompt: emptyToNil(b.SystemPrompt)}
	if title := strings.TrimSpace(deref(b.Title)); title != "" {
		if conversation.HiddenCharacters(title) {
			return nil, errInvalidTitle
		}
		c.Title, c.TitleFromChat = title, false
	}
	if prov := deref(b.Provider); prov != "" {
		c.Provider = prov
	}
	if err := a.ai.ValidateModel(c.Provider, deref(c.Model)); err != nil {
		return nil, err
	}
	if err := a.store.CreateConversation(ctx, c); err != nil {
		return nil, err
	}
	return api.CreateConversation201JSONResponse(conversationResponse(c)), nil
}

// DeleteConversation deletes one of the caller's conversations with its messages and learning
// sessions, in one transaction. An active learning session is closed first (its time up to
// its last activity recorded), so deleting a conversation never loses learning time.
func (a *ConversationsAPI) DeleteConversation(ctx context.Context, req api.DeleteConversationRequestObject) (api.DeleteConversationResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	err = a.store.Tx(ctx, func(tx *store.Store) error {
		c, err := lockConversation(ctx, tx, p, req.ConversationId.String())
		if err != nil {
			return err
		}
		s, err := tx.LatestLearningSession(ctx, c.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		case s.Status == store.LearningActive:
			reason := store.LearningReasonEnded
			if conversation.Expired(s.LastActivityAt, a.now(), a.cfg.LearningIdleTimeout) {
				reason = store.LearningReasonIdleTimeout
			}
			if err := closeLearningSession(ctx, a.ledger, tx, s, reason, s.LastActivityAt); err != nil {
				return err
			}
		}
		return tx.DeleteConversation(ctx, c.ID)
	})
	if err != nil {
		return nil, err
	}
	return api.DeleteConversation204Response{}, nil
}

// ListConversationMessages lists a conversation's messages, oldest first.
func (a *ConversationsAPI) ListConversationMessages(ctx context.Context, req api.ListConversationMessagesRequestObject) (api.ListConversationMessagesResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	c, err := a.conversationOf(ctx, p, req.ConversationId.String())
	if err != nil {
		return nil, err
	}
	limit, offset := page(req.Params.Limit, req.Params.Offset)
	rows, err := a.store.ListMessages(ctx, c.ID, limit, offset)
	if err != nil {
		return nil, err
	}
	out := make(api.ListConversationMessages200JSONResponse, len(rows))
	for i, m := range rows {
		out[i] = api.MessageResponse{Id: uuidOf(m.ID), ConversationId: uuidOf(m.ConversationID), Role: api.MessageResponseRole(m.Role),
			Content: m.Content, Provider: nullableOf(m.Provider), Model: nullableOf(m.Model), CreatedAt: m.CreatedAt}
	}
	return out, nil
}

func conversationResponse(c *store.Conversation) api.ConversationResponse {
	return api.ConversationResponse{
		Id: uuidOf(c.ID), Title: c.Title, Provider: c.Provider, Model: nullableOf(c.Model), SystemPrompt: nullableOf(c.SystemPrompt),
		MessageCount: c.MessageCount, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, LastMessageAt: nullableOf(c.LastMessageAt),
	}
}

// deref is the value of an optional request field ("" when absent).
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
