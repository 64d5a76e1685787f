package server_test

import (
	"strings"
	"testing"

	"github.com/xentree/xentree-api/server"
)

// TestChatSystemTurnsBounded: a stateless caller's system turns are always sent, so they must
// fit the history's character budget themselves (XENTREE_CHAT_HISTORY_CHARS): otherwise a body
// of system turns (up to the 1 MB request limit) went to the provider with every message,
// twenty times the budget the history bounds the bill with. Beyond it 422 history_too_long and
// no provider call.
func TestChatSystemTurnsBounded(t *testing.T) {
	llm := newFakeLLM(t, func(map[string]any) llmReply { return llmReply{Text: "ok"} })
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("systurns")
		calls := len(llm.requests())
		long := []map[string]any{{"role": "system", "content": strings.Repeat("s", 30)}, {"role": "system", "content": strings.Repeat("t", 30)}}
		if d := h.chat(u, map[string]any{"message": "hi", "conversation_history": long}).expect(t, 422).errorBody(t); d.Error != "history_too_long" {
			t.Fatalf("system turns over the budget: %+v", d)
		}
		if len(llm.requests()) != calls {
			t.Fatal("a refused chat reached the provider")
		}
		h.chatOK(u, map[string]any{"message": "hi", "conversation_history": long[:1]})
	}, llm.option(), chatLimits(func(c *server.Config) { c.ChatHistoryChars = 50 }))
}
