package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oapi-codegen/nullable"
	openapi_types "github.com/oapi-codegen/runtime/types"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/internal/ai"
	"github.com/xentree/xentree-api/internal/conversation"
	"github.com/xentree/xentree-api/store"
)

// Chat refusals.
var (
	errEmptyMessage            = unprocessable("empty_message", "The message must not be blank")
	errHistoryWithConversation = unprocessable("history_with_conversation",
		"conversation_history cannot be combined with conversation_id: the conversation's stored history is used")
)

// chatWindow is the chat rate limit's window (ChatRateLimit is per minute).
const chatWindow = time.Minute

// GenerateChat answers a message, stateless or in one of the caller's conversations (both turns
// stored once the reply is complete), as JSON or, when the client asks for text/event-stream,
// as server-sent events. Every check that can refuse (conversation, provider and model, size,
// rate limit) runs before the provider is called, so a refusal costs no model call.
func (a *ConversationsAPI) GenerateChat(ctx context.Context, req api.GenerateChatRequestObject) (api.GenerateChatResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	b := req.Body
	if err := a.checkMessage(b.Message); err != nil {
		return nil, err
	}
	if err := a.checkSystemTurns(b.ConversationHistory); err != nil {
		return nil, err
	}
	var conv *store.Conversation
	if b.ConversationId != nil {
		if b.ConversationHistory != nil {
			return nil, errHistoryWithConversation
		}
		if conv, err = a.conversationOf(ctx, p, b.ConversationId.String()); err != nil {
			return nil, err
		}
	}
	name, model := chatRoute(b, conv)
	if err := a.ai.ValidateModel(name, model); err != nil {
		return nil, err
	}
	prov, err := a.ai.Provider(name)
	if err != nil {
		return nil, err
	}
	if a.cfg.wrapProvider != nil {
		prov = a.cfg.wrapProvider(prov)
	}
	if err := a.throttleChat(ctx, p.User.ID); err != nil {
		return nil, err
	}
	history, err := a.history(ctx, conv, b.ConversationHistory)
	if err != nil {
		return nil, err
	}
	ex := &exchange{a: a, conv: conv, message: b.Message, sentAt: a.now(), prov: prov, req: ai.Request{
		Model: model, Messages: append(history, ai.Message{Role: ai.RoleUser, Content: b.Message}),
		Language: deref(b.UserLanguage), UserID: p.User.ID,
	}}
	if conv != nil {
		ex.req.System = deref(conv.SystemPrompt)
	}
	if wantsEvents(meta(ctx).Accept) {
		return chatStream{ctx: ctx, ex: ex}, nil
	}
	out, err := ex.run(ctx, nil)
	if err != nil {
		return nil, err
	}
	return chatJSON(out), nil
}

// checkMessage refuses blank messages and messages over the configured size (the schema's
// bound is the most it may be).
func (a *ConversationsAPI) checkMessage(m string) error {
	if strings.TrimSpace(m) == "" {
		return errEmptyMessage
	}
	if n := utf8.RuneCountInString(m); n > a.cfg.ChatMaxMessageChars {
		return unprocessable("message_too_long", fmt.Sprintf("The message has %d characters; this server takes at most %d", n, a.cfg.ChatMaxMessageChars))
	}
	return nil
}

// checkSystemTurns refuses stateless system turns over the history's character budget: they
// are always sent (conversation.Trim keeps them, uncounted), so without this bound a request
// body of them would go to the provider with the message, far beyond the budget.
func (a *ConversationsAPI) checkSystemTurns(turns *[]api.ChatTurn) error {
	if turns == nil {
		return nil
	}
	n := 0
	for _, t := range *turns {
		if t.Role == api.ChatTurnRoleSystem {
			n += utf8.RuneCountInString(t.Content)
		}
	}
	if n > a.cfg.ChatHistoryChars {
		return unprocessable("history_too_long", fmt.Sprintf("The system turns have %d characters; this server takes at most %d", n, a.cfg.ChatHistoryChars))
	}
	return nil
}

// chatRoute is the provider and model a chat asks for: the request's, else the conversation's,
// else auto with its default. A request naming another provider than the conversation's drops
// the conversation's model (it belongs to the other provider).
func chatRoute(b *api.ChatRequest, c *store.Conversation) (provider, model string) {
	provider = ai.AutoName
	if c != nil {
		provider, model = c.Provider, deref(c.Model)
	}
	if b.Provider != nil && *b.Provider != "" && *b.Provider != provider {
		provider, model = *b.Provider, ""
	}
	if b.Model != nil && *b.Model != "" {
		model = *b.Model
	}
	return provider, model
}

// throttleChat counts one model call of userID (a chat message, or a RAG answer asking a
// provider) in the shared rate-limit table (every replica counts in the same row) and refuses
// with 429 past the limit. Chat and RAG share the allowance, so neither is a way around the
// other's limit to the providers' bill.
func (a *deps) throttleChat(ctx context.Context, userID string) error {
	n, reset, err := a.store.HitRateLimit(ctx, "chat:user:"+userID, chatWindow)
	if err != nil || n <= a.cfg.ChatRateLimit {
		return err
	}
	return &APIError{Status: http.StatusTooManyRequests, Code: "chat_rate_limited",
		Message:    fmt.Sprintf("Too many chat messages: at most %d a minute; try again shortly", a.cfg.ChatRateLimit),
		RetryAfter: max(int(math.Ceil(reset.Sub(a.now()).Seconds())), 1)}
}

// history is what precedes the new message: the conversation's newest stored turns, or the
// stateless caller's, trimmed to the budget (conversation.Trim: oldest turns left out whole).
func (a *ConversationsAPI) history(ctx context.Context, c *store.Conversation, turns *[]api.ChatTurn) ([]ai.Message, error) {
	var msgs []ai.Message
	switch {
	case c != nil:
		rows, err := a.store.RecentMessages(ctx, c.ID, a.cfg.ChatHistoryTurns)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			msgs = append(msgs, ai.Message{Role: ai.Role(r.Role), Content: r.Content})
		}
	case turns != nil:
		for _, t := range *turns {
			msgs = append(msgs, ai.Message{Role: ai.Role(t.Role), Content: t.Content})
		}
	}
	kept, _ := conversation.Trim(msgs, conversation.Budget{Turns: a.cfg.ChatHistoryTurns, Chars: a.cfg.ChatHistoryChars})
	return kept, nil
}

// exchange is one chat message on its way: the provider call, then (in a conversation) both
// turns stored together.
type exchange struct {
	a       *ConversationsAPI
	conv    *store.Conversation // nil: stateless
	message string
	sentAt  time.Time
	prov    ai.Provider
	req     ai.Request
}

// run gets the reply, streamed through onDelta unless it is nil, and stores the exchange. A
// reply that fails, or whose client went away (ctx), stores nothing.
func (ex *exchange) run(ctx context.Context, onDelta func(string) error) (api.ChatResponse, error) {
	var resp *ai.Response
	var err error
	if onDelta == nil {
		resp, err = ex.prov.Complete(ctx, ex.req)
	} else {
		resp, err = ex.prov.Stream(ctx, ex.req, onDelta)
	}
	if err != nil {
		return api.ChatResponse{}, err
	}
	out := api.ChatResponse{Content: resp.Content, Provider: resp.Provider, Model: resp.Model,
		Usage: nullable.NewNullNullable[api.ChatUsage](), ConversationId: nullable.NewNullNullable[openapi_types.UUID](),
		MessageId: nullable.NewNullNullable[openapi_types.UUID]()}
	if u := resp.Usage; u != nil {
		out.Usage = nullable.NewNullableWithValue(api.ChatUsage{PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens, TotalTokens: u.TotalTokens})
	}
	if ex.conv == nil {
		return out, nil
	}
	id, err := ex.store(ctx, resp)
	if err != nil {
		return api.ChatResponse{}, err
	}
	out.ConversationId, out.MessageId = nullable.NewNullableWithValue(uuidOf(ex.conv.ID)), nullable.NewNullableWithValue(uuidOf(id))
	return out, nil
}

// store appends the learner's message and the reply to the conversation, naming an untitled
// conversation after its first message. The conversation may have been deleted while the
// provider answered: 404, nothing stored.
func (ex *exchange) store(ctx context.Context, resp *ai.Response) (string, error) {
	msgs := []store.ConversationMessage{
		{Role: store.RoleUserMessage, Content: ex.message, CreatedAt: ex.sentAt},
		{Role: store.RoleAssistantMessage, Content: resp.Content, Provider: &resp.Provider, Model: &resp.Model},
	}
	err := ex.a.store.AppendMessages(ctx, ex.conv.ID, ex.conv.UserID, conversation.Title(ex.message), msgs)
	if errors.Is(err, store.ErrNotFound) {
		return "", errConversationMissing
	}
	return msgs[1].ID, err
}

// wantsEvents reports whether an Accept header asks for text/event-stream (with q above 0).
func wantsEvents(accept string) bool {
	for part := range strings.SplitSeq(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || mt != "text/event-stream" {
			continue
		}
		if q, ok := params["q"]; ok {
			if v, err := strconv.ParseFloat(q, 64); err != nil || v <= 0 {
				continue
			}
		}
		return true
	}
	return false
}

// chatWriteSlack is how long each write of a chat answer may take. A chat legitimately runs
// longer than the HTTP server's write timeout (a provider call, fallbacks, a long stream), so
// each write gets a deadline of its own instead: a client that stops reading cannot hold the
// handler (and its upstream call) for longer than this.
const chatWriteSlack = 30 * time.Second

// extendWriteDeadline moves the connection's write deadline to chatWriteSlack from now. It is
// a network deadline, so wall-clock time, not the application clock; writers that cannot take
// deadlines (test recorders) are fine without.
func extendWriteDeadline(rc *http.ResponseController) {
	_ = rc.SetWriteDeadline(time.Now().Add(chatWriteSlack))
}

// chatJSON is the 200 application/json answer, written under a deadline of its own.
type chatJSON api.ChatResponse

// VisitGenerateChatResponse writes the ChatResponse.
func (r chatJSON) VisitGenerateChatResponse(w http.ResponseWriter) error {
	extendWriteDeadline(http.NewResponseController(w))
	return api.GenerateChat200JSONResponse(r).VisitGenerateChatResponse(w)
}

// chatDelta is the data of a "delta" event.
type chatDelta struct {
	Content string `json:"content"`
}

// chatStream is the 200 text/event-stream answer (openapi.yaml, generateChat): it runs the
// exchange while writing its events, each flushed at once. Status and headers go out with the
// first event, so a failure before it (every fallback happens there) is answered by
// HandleError like any other; after it, the failure is the stream's last event. A write
// failure (the client went away) stops the upstream call through the provider's onDelta, and
// the request's context, which net/http cancels when the connection closes, ends the rest.
type chatStream struct {
	ctx context.Context
	ex  *exchange
}

// VisitGenerateChatResponse runs the exchange, writing its events as they come.
func (s chatStream) VisitGenerateChatResponse(w http.ResponseWriter) error {
	rc := http.NewResponseController(w)
	started := false
	send := func(event string, data any) error {
		b, err := json.Marshal(data)
		if err != nil {
			return err
		}
		if !started {
			h := w.Header()
			h.Set("Content-Type", "text/event-stream")
			h.Set("X-Accel-Buffering", "no") // proxies such as nginx: pass each event on at once
			w.WriteHeader(http.StatusOK)
			started = true
		}
		extendWriteDeadline(rc)
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, b); err != nil {
			return err
		}
		return rc.Flush()
	}
	out, err := s.ex.run(s.ctx, func(delta string) error { return send("delta", chatDelta{Content: delta}) })
	if err == nil {
		return send("done", out)
	}
	if !started {
		return err
	}
	if s.ctx.Err() != nil { // nobody is listening any more
		return nil
	}
	e := toAPIError(err)
	if e.Status >= 500 { // HandleError never sees it: the response is committed
		s.ex.a.log.WarnContext(s.ctx, "chat stream failed", "err", err, "code", e.Code)
	}
	return send("error", e.Body())
}
