package server_test

import (
	"testing"

	"github.com/xentree/xentree-api/server"
)

// TestRAGRateLimit: RAG answers that ask a provider spend the caller's per-minute allowance of
// model calls, the one chat messages spend (XENTREE_CHAT_RATE_LIMIT), so /api/rag/query is no
// way around the chat limit to the provider's bill: beyond it 429 with Retry-After and no
// upstream call. Answers asking no provider (the offline answer, nothing matching) are free.
func TestRAGRateLimit(t *testing.T) {
	fake := newFakeLLM(t, func(map[string]any) llmReply { return llmReply{Text: "Thirty days [1]."} })
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("ragquota")
		h.createDoc(u, "Refund policy", "Refunds are possible within 30 days of purchase.", "")
		q := map[string]any{"query": "refund", "provider": "openai"}
		h.chat(u, map[string]any{"message": "hello", "provider": "openai"}).expect(t, 200)
		h.ragQuery(u.auth(), q, 200)
		h.ragQuery(u.auth(), q, 200)
		calls := len(fake.requests())
		r, _ := h.ragQuery(u.auth(), q, 429)
		if d := r.errorBody(t); d.Error != "chat_rate_limited" || r.Header.Get("Retry-After") == "" {
			t.Fatalf("beyond the limit: %+v Retry-After %q", d, r.Header.Get("Retry-After"))
		}
		h.chat(u, map[string]any{"message": "again", "provider": "openai"}).expect(t, 429)
		if n := len(fake.requests()); n != calls {
			t.Fatalf("%d upstream calls beyond the limit", n-calls)
		}
		h.ragQuery(u.auth(), map[string]any{"query": "refund", "provider": "offline"}, 200)
		h.ragQuery(u.auth(), map[string]any{"query": "photosynthesis", "provider": "openai"}, 200)
	}, fake.option(), func(c *server.Config) { c.ChatRateLimit = 3 })
}
