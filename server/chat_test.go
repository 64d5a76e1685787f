package server_test

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xentree/xentree-api/internal/ai"
	"github.com/xentree/xentree-api/server"
)

// upstreamTurns renders the messages an upstream request carried, "role:content" each.
func upstreamTurns(req map[string]any) []string {
	var out []string
	msgs, _ := req["messages"].([]any)
	for _, m := range msgs {
		mm, _ := m.(map[string]any)
		out = append(out, fmt.Sprintf("%v:%v", mm["role"], mm["content"]))
	}
	return out
}

func chatLimits(f func(c *server.Config)) option { return option(f) }

// scripted is the upstream answer a test sets between requests (the fake's handler reads it
// concurrently, also after a client gave up on it).
type scripted struct {
	mu  sync.Mutex
	rep llmReply
}

func (s *scripted) set(r llmReply) { s.mu.Lock(); s.rep = r; s.mu.Unlock() }

func (s *scripted) get(map[string]any) llmReply {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rep
}

// TestChatOffline: with nothing configured the offline tutor answers, named as such, without
// usage; a stateless chat stores nothing and says so with nulls; in a conversation both turns
// are stored and the history reaches the tutor (it checks the answers to its own exercise); the
// learner's language is honoured.
func TestChatOffline(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("offline")
		r := h.chat(u, map[string]any{"message": "What does 'actually' mean?"}).expect(t, 200)
		for _, field := range []string{`"usage":null`, `"conversation_id":null`, `"message_id":null`} {
			if !strings.Contains(string(r.Body), field) {
				t.Errorf("stateless answer lacks %s: %s", field, r.Body)
			}
		}
		if h.countRows("conversation_messages", "user_id = ?", u.ID) != 0 {
			t.Fatal("a stateless chat stored messages")
		}
		de := h.chatOK(u, map[string]any{"message": "What does eventually mean?", "user_language": "de"})
		if de.Provider != ai.OfflineName || de.Model != ai.OfflineModel || !strings.Contains(de.Content, "Bedeutung") || !strings.Contains(de.Content, "schließlich") {
			t.Fatalf("German learner: %+v", de)
		}

		c := h.createConversation(u, nil)
		ex := h.chatOK(u, map[string]any{"message": "Give me a practice exercise on the past simple", "conversation_id": c.Id})
		if !strings.Contains(ex.Content, "___ (go)") || ex.ConversationId.MustGet() != c.Id {
			t.Fatalf("exercise: %+v", ex)
		}
		check := h.chatOK(u, map[string]any{"message": "went\nbought\ndidn't see", "conversation_id": c.Id})
		ms := h.messages(u, c.Id.String(), "")
		if len(ms) != 4 || ms[3].Id != check.MessageId.MustGet() || ms[3].Content != check.Content || ms[1].Content != ex.Content {
			t.Fatalf("stored %s", transcript(ms))
		}
		// The tutor saw its exercise in the history: it checks the answers instead of guessing.
		stateless := h.chatOK(u, map[string]any{"message": "went\nbought\ndidn't see"})
		if check.Content == stateless.Content || !strings.Contains(check.Content, "You got 3 of 3 right") {
			t.Fatalf("answers not checked against the stored exercise:\n%s\n--- stateless:\n%s", check.Content, stateless.Content)
		}
		// The same with the history sent by a stateless client.
		sent := h.chatOK(u, map[string]any{"message": "went\nbought\ndidn't see", "conversation_history": []map[string]any{
			{"role": "user", "content": ms[0].Content}, {"role": "assistant", "content": ms[1].Content}}})
		if sent.Content != check.Content {
			t.Fatalf("stateless history answered differently:\n%s\n---\n%s", sent.Content, check.Content)
		}
	})
}

// TestChatThroughUpstream: an OpenAI-compatible upstream gets the conversation's system prompt,
// the language hint and the stored history, oldest first; its usage is reported; the reply is
// stored with what answered.
func TestChatThroughUpstream(t *testing.T) {
	var n atomic.Int64
	llm := newFakeLLM(t, func(map[string]any) llmReply { return llmReply{Text: fmt.Sprintf("reply %d", n.Add(1))} })
	eachDB(t, func(t *testing.T, h *harness) {
		n.Store(0)
		u := h.newUser("upstream")
		c := h.createConversation(u, map[string]any{"system_prompt": "You are Xena, a patient English tutor."})
		first := h.chatOK(u, map[string]any{"message": "Hi Xena", "conversation_id": c.Id, "user_language": "es"})
		second := h.chatOK(u, map[string]any{"message": "Explain the past perfect", "conversation_id": c.Id})
		if first.Provider != "openai" || first.Model != "gpt-5-mini" || first.Content != "reply 1" || second.Content != "reply 2" {
			t.Fatalf("answers %+v %+v", first, second)
		}
		u1 := first.Usage.MustGet()
		if u1.PromptTokens != 31 || u1.CompletionTokens != 9 || u1.TotalTokens != 40 {
			t.Fatalf("usage %+v", u1)
		}
		reqs := llm.requests()
		got := upstreamTurns(reqs[len(reqs)-1])
		want := []string{"system:You are Xena, a patient English tutor.", "user:Hi Xena", "assistant:reply 1", "user:Explain the past perfect"}
		if strings.Join(got, " | ") != strings.Join(want, " | ") {
			t.Fatalf("upstream got\n%v\nwant\n%v", got, want)
		}
		if sys := upstreamTurns(reqs[len(reqs)-2])[0]; !strings.Contains(sys, "Spanish (es)") || !strings.Contains(sys, "Xena") {
			t.Fatalf("language hint missing: %s", sys)
		}
		noUsage := newFakeLLM(t, func(map[string]any) llmReply { return llmReply{Text: "quiet", NoUsage: true} })
		h.restart(noUsage.option())
		if r := h.chat(u, map[string]any{"message": "hi"}).expect(t, 200); !strings.Contains(string(r.Body), `"usage":null`) {
			t.Fatalf("usage not null when the upstream sent none: %s", r.Body)
		}
	}, llm.option())
}

// TestChatFallbackAndFailures: auto falls back to the offline tutor when the upstream fails
// (500, 429, timeout) and stores that answer; a provider named explicitly that fails is 502
// (503 with Retry-After when it rate limits), the Error body without upstream text, nothing
// stored; auto with a model only the failing upstream has is 503.
func TestChatFallbackAndFailures(t *testing.T) {
	rep := &scripted{}
	llm := newFakeLLM(t, rep.get)
	shortTimeout := func(c *server.Config) { c.AI.Timeout = 300 * time.Millisecond; c.AI.Cooldown = -1 }
	eachDB(t, func(t *testing.T, h *harness) {
		h.serverFaultsExpected = true // 502 and 503 are the answers under test
		u := h.newUser("fallback")
		c := h.createConversation(u, nil)
		for name, r := range map[string]llmReply{
			"500": {Status: 500}, "429": {Status: 429, RetryAfter: "7"}, "timeout": {Delay: 2 * time.Second},
		} {
			rep.set(r)
			got := h.chatOK(u, map[string]any{"message": "What does 'actually' mean?", "conversation_id": c.Id})
			if got.Provider != ai.OfflineName || !strings.Contains(got.Content, "in fact, really") {
				t.Fatalf("%s: no fallback to the offline tutor: %+v", name, got)
			}
		}
		if ms := h.messages(u, c.Id.String(), ""); len(ms) != 6 || ms[5].Provider.MustGet() != ai.OfflineName {
			t.Fatalf("fallback answers not stored: %s", transcript(ms))
		}

		named := h.createConversation(u, map[string]any{"provider": "openai"})
		for _, cse := range []struct {
			name       string
			rep        llmReply
			body       map[string]any
			status     int
			code       string
			retryAfter string
		}{
			{"named 500", llmReply{Status: 500}, map[string]any{"provider": "openai"}, 502, "provider_error", ""},
			{"named 401", llmReply{Status: 401}, map[string]any{"conversation_id": named.Id}, 502, "provider_error", ""},
			{"named timeout", llmReply{Delay: 2 * time.Second}, map[string]any{"provider": "openai"}, 502, "provider_timeout", ""},
			{"named 429", llmReply{Status: 429, RetryAfter: "7"}, map[string]any{"provider": "openai"}, 503, "provider_unavailable", "7"},
			{"auto, model of the failing one", llmReply{Status: 500}, map[string]any{"model": "gpt-5-mini"}, 503, "provider_unavailable", "5"},
		} {
			rep.set(cse.rep)
			cse.body["message"] = "hello"
			r := h.chat(u, cse.body).expect(t, cse.status)
			d := r.errorBody(t)
			if d.Error != cse.code || strings.Contains(d.Message, "upstream says") || !strings.Contains(d.Message, "provider") {
				t.Errorf("%s: %+v", cse.name, d)
			}
			if got := r.Header.Get("Retry-After"); got != cse.retryAfter {
				t.Errorf("%s: Retry-After %q, want %q", cse.name, got, cse.retryAfter)
			}
		}
		if n := h.countRows("conversation_messages", "conversation_id = ?", named.Id.String()); n != 0 {
			t.Fatalf("a failed chat stored %d messages", n)
		}
		if strings.Contains(h.logs.String(), "sk-test-fake") || strings.Contains(h.logs.String(), "upstream says") {
			t.Fatal("the log holds the key or upstream text")
		}
		// Unknown provider or model: 422 before any upstream call.
		calls := len(llm.requests())
		for body, code := range map[string]string{`{"message":"hi","provider":"nope"}`: "unknown_provider", `{"message":"hi","model":"gpt-99"}`: "unknown_model"} {
			if d := h.raw("POST", "/api/core/chat", body, u.auth()).expect(t, 422).errorBody(t); d.Error != code {
				t.Errorf("%s: %+v", body, d)
			}
		}
		if len(llm.requests()) != calls {
			t.Fatal("a refused chat reached the provider")
		}
	}, llm.option(), shortTimeout)
}

// TestChatLimits: message size and blank messages, history with a conversation, the history
// budget (oldest turns left out whole, in conversations and stateless), and the per-user rate
// limit shared by replicas, with Retry-After; refused chats never reach the provider.
func TestChatLimits(t *testing.T) {
	llm := newFakeLLM(t, func(map[string]any) llmReply { return llmReply{Text: "0123456789"} })
	limits := chatLimits(func(c *server.Config) {
		c.ChatMaxMessageChars, c.ChatHistoryTurns, c.ChatHistoryChars, c.ChatRateLimit = 100, 3, 25, 6
	})
	eachDB(t, func(t *testing.T, h *harness) {
		h.clock.Freeze(at("2026-11-10T10:00:10Z"))
		u := h.newUser("limits")
		c := h.createConversation(u, nil)
		calls := len(llm.requests())
		if d := h.chat(u, map[string]any{"message": strings.Repeat("é", 101)}).expect(t, 422).errorBody(t); d.Error != "message_too_long" || !strings.Contains(d.Message, "101") {
			t.Fatalf("too long: %+v", d)
		}
		if d := h.chat(u, map[string]any{"message": " \n\t "}).expect(t, 422).errorBody(t); d.Error != "empty_message" {
			t.Fatalf("blank: %+v", d)
		}
		if d := h.chat(u, map[string]any{"message": "hi", "conversation_id": c.Id, "conversation_history": []any{}}).expect(t, 422).errorBody(t); d.Error != "history_with_conversation" {
			t.Fatalf("both histories: %+v", d)
		}
		if len(llm.requests()) != calls {
			t.Fatal("a refused chat reached the provider")
		}

		// 3 turns and 25 characters of history: "0123456789" replies are 10 each.
		h.chatOK(u, map[string]any{"message": strings.Repeat("a", 100), "conversation_id": c.Id}) // at the size limit
		h.chatOK(u, map[string]any{"message": "bb", "conversation_id": c.Id})
		h.chatOK(u, map[string]any{"message": "cc", "conversation_id": c.Id})
		reqs := llm.requests()
		if got := strings.Join(upstreamTurns(reqs[len(reqs)-1]), " | "); got != "assistant:0123456789 | user:bb | assistant:0123456789 | user:cc" {
			t.Fatalf("turn budget: %s", got)
		}
		h.chatOK(u, map[string]any{"message": "next", "conversation_history": []map[string]any{
			{"role": "system", "content": "Be brief."}, {"role": "user", "content": strings.Repeat("x", 20)},
			{"role": "assistant", "content": "0123456789"}, {"role": "user", "content": "0123456789"}}})
		reqs = llm.requests()
		if got := strings.Join(upstreamTurns(reqs[len(reqs)-1]), " | "); got != "system:Be brief. | assistant:0123456789 | user:0123456789\n\nnext" {
			t.Fatalf("character budget: %s", got)
		}

		// 6 a minute for the user, whichever replica answers; the window is one minute.
		other := h.replica(llm.option(), limits)
		other.chat(u, map[string]any{"message": "five"}).expect(t, 200)
		h.chat(u, map[string]any{"message": "six"}).expect(t, 200)
		calls = len(llm.requests())
		r := other.chat(u, map[string]any{"message": "seven"}).expect(t, 429)
		if d := r.errorBody(t); d.Error != "chat_rate_limited" || r.Header.Get("Retry-After") != "60" {
			t.Fatalf("rate limit: %+v Retry-After %q", d, r.Header.Get("Retry-After"))
		}
		if len(llm.requests()) != calls {
			t.Fatal("a rate-limited chat reached the provider")
		}
		h.chat(h.newUser("limits_pal"), map[string]any{"message": "mine"}).expect(t, 200) // the limit is per user
		h.clock.Advance(59 * time.Second)
		if r := h.chat(u, map[string]any{"message": "eight"}).expect(t, 429); r.Header.Get("Retry-After") != "1" {
			t.Fatalf("Retry-After near the end of the window: %q", r.Header.Get("Retry-After"))
		}
		h.clock.Advance(time.Second)
		h.chat(u, map[string]any{"message": "nine"}).expect(t, 200)
	}, llm.option(), limits)
}

// TestConcurrentChatsInOneConversation: chats racing in one conversation from two replicas
// store every exchange whole, each reply right after its message, numbered without gaps.
func TestConcurrentChatsInOneConversation(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		other := h.replica()
		u := h.newUser("racechat")
		c := h.createConversation(u, map[string]any{"provider": "offline"})
		var wg sync.WaitGroup
		for i := range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := []*harness{h, other}[i%2].chat(u, map[string]any{"message": fmt.Sprintf("What does word%d mean?", i), "conversation_id": c.Id})
				if r.Status != 200 {
					t.Errorf("chat %d: %d %s", i, r.Status, r.Body)
				}
			}()
		}
		wg.Wait()
		ms := h.messages(u, c.Id.String(), "?limit=200")
		seen := map[string]bool{}
		for i := 0; i < len(ms); i += 2 {
			q, a := ms[i], ms[i+1]
			word := strings.TrimSuffix(strings.TrimPrefix(q.Content, "What does "), " mean?")
			if q.Role != "user" || a.Role != "assistant" || !strings.Contains(a.Content, word) || seen[word] {
				t.Fatalf("exchange %d out of order: %q / %q", i/2, q.Content, a.Content)
			}
			seen[word] = true
		}
		if len(ms) != 24 || len(seen) != 12 || h.conversations(u, "")[0].MessageCount != 24 {
			t.Fatalf("%d messages, %d exchanges", len(ms), len(seen))
		}
	})
}
