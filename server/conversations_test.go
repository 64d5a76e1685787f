package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/internal/ai"
)

// Conversation test helpers: requests as a user, and the database's view.

func convPath(id string, rest ...string) string {
	return "/api/core/conversations/" + id + strings.Join(rest, "")
}

// createConversation creates a conversation as u with body (nil: empty) and returns it.
func (h *harness) createConversation(u *user, body map[string]any) api.ConversationResponse {
	h.t.Helper()
	if body == nil {
		body = map[string]any{}
	}
	var c api.ConversationResponse
	h.raw("POST", "/api/core/conversations", body, u.auth()).expect(h.t, 201).decode(h.t, &c)
	return c
}

// chat sends one chat request as u (auth: extra headers replace nothing, they add).
func (h *harness) chat(u *user, body map[string]any, headers ...header) resp {
	h.t.Helper()
	return h.raw("POST", "/api/core/chat", body, append([]header{u.auth()}, headers...)...)
}

// chatOK sends a chat request that must answer 200 and returns the response.
func (h *harness) chatOK(u *user, body map[string]any) api.ChatResponse {
	h.t.Helper()
	var c api.ChatResponse
	h.chat(u, body).expect(h.t, 200).decode(h.t, &c)
	return c
}

// conversations lists u's conversations (query: "?limit=..." or "").
func (h *harness) conversations(u *user, query string) []api.ConversationResponse {
	h.t.Helper()
	var cs []api.ConversationResponse
	h.raw("GET", "/api/core/conversations"+query, nil, u.auth()).expect(h.t, 200).decode(h.t, &cs)
	return cs
}

// messages lists a conversation's messages as u.
func (h *harness) messages(u *user, convID, query string) []api.MessageResponse {
	h.t.Helper()
	var ms []api.MessageResponse
	h.raw("GET", convPath(convID, "/messages")+query, nil, u.auth()).expect(h.t, 200).decode(h.t, &ms)
	return ms
}

func titles(cs []api.ConversationResponse) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Title)
	}
	return strings.Join(out, ",")
}

func transcript(ms []api.MessageResponse) string {
	var out []string
	for _, m := range ms {
		out = append(out, string(m.Role)+":"+m.Content)
	}
	return strings.Join(out, " | ")
}

// TestConversationLifecycle: create with defaults and with every field; provider and model
// checked against the configuration; titles from the first message; the list by most recent
// activity with paging; messages oldest first with paging; delete takes messages and sessions.
func TestConversationLifecycle(t *testing.T) {
	llm := newFakeLLM(t, func(map[string]any) llmReply { return llmReply{Text: "Sure."} })
	eachDB(t, func(t *testing.T, h *harness) {
		h.clock.Freeze(at("2026-11-10T10:00:00Z"))
		u := h.newUser("conv")
		c := h.createConversation(u, nil)
		if c.Title != "New conversation" || c.Provider != "auto" || !c.Model.IsNull() || !c.SystemPrompt.IsNull() || c.MessageCount != 0 ||
			!c.LastMessageAt.IsNull() || !c.CreatedAt.Equal(at("2026-11-10T10:00:00Z")) || !c.UpdatedAt.Equal(c.CreatedAt) {
			t.Fatalf("defaults %+v", c)
		}
		full := h.createConversation(u, map[string]any{"title": "  Past tenses ", "provider": "openai", "model": "gpt-5",
			"system_prompt": "You are a patient tutor."})
		if full.Title != "Past tenses" || full.Provider != "openai" || full.Model.MustGet() != "gpt-5" || full.SystemPrompt.MustGet() != "You are a patient tutor." {
			t.Fatalf("created %+v", full)
		}

		// Only what is configured.
		for body, code := range map[string]string{
			`{"provider":"mistral"}`:                 "unknown_provider",
			`{"provider":"openai","model":"gpt-99"}`: "unknown_model",
			`{"model":"claude-haiku-4-5"}`:           "unknown_model",
			`{"provider":"offline","model":"gpt-5"}`: "unknown_model",
			`{"title":"bad\u202etitle"}`:             "invalid_title",
		} {
			if d := h.raw("POST", "/api/core/conversations", body, u.auth()).expect(t, 422).errorBody(t); d.Error != code {
				t.Errorf("%s: %+v", body, d)
			}
		}
		if h.countRows("conversations", "user_id = ?", u.ID) != 2 {
			t.Fatal("a refused create stored something")
		}

		// The first message names an untitled conversation; a given title stays.
		h.clock.Advance(time.Minute)
		h.chatOK(u, map[string]any{"message": "What does 'actually' mean?", "conversation_id": c.Id})
		h.clock.Advance(time.Minute)
		third := h.createConversation(u, map[string]any{"title": "Third"})
		if got := titles(h.conversations(u, "")); got != "Third,What does 'actually' mean?,Past tenses" {
			t.Fatalf("order %s", got)
		}
		h.clock.Advance(time.Minute)
		h.chatOK(u, map[string]any{"message": "Hello", "conversation_id": full.Id})
		h.clock.Advance(time.Second)
		h.chatOK(u, map[string]any{"message": "And what does eventually mean?", "conversation_id": c.Id, "provider": "offline"})
		list := h.conversations(u, "")
		if got := titles(list); got != "What does 'actually' mean?,Past tenses,Third" {
			t.Fatalf("order after activity %s", got)
		}
		if l := list[0]; l.MessageCount != 4 || !l.LastMessageAt.MustGet().Equal(at("2026-11-10T10:03:01Z")) || !l.UpdatedAt.Equal(at("2026-11-10T10:03:01Z")) {
			t.Fatalf("counters %+v", l)
		}
		if got := titles(h.conversations(u, "?limit=1&offset=1")); got != "Past tenses" {
			t.Fatalf("page %s", got)
		}
		if got := h.conversations(u, "?offset=3"); len(got) != 0 {
			t.Fatalf("past the end %v", got)
		}

		ms := h.messages(u, c.Id.String(), "")
		// auto answered from the configured upstream; the override from the offline tutor.
		if len(ms) != 4 || ms[0].Role != "user" || ms[0].Content != "What does 'actually' mean?" || ms[1].Role != "assistant" ||
			ms[1].Content != "Sure." || ms[2].Content != "And what does eventually mean?" || ms[3].Role != "assistant" ||
			!strings.Contains(ms[3].Content, "in the end, after a long time") {
			t.Fatalf("messages %s", transcript(ms))
		}
		if !ms[0].Provider.IsNull() || !ms[0].Model.IsNull() || ms[1].Provider.MustGet() != "openai" || ms[1].Model.MustGet() != "gpt-5-mini" ||
			ms[3].Provider.MustGet() != ai.OfflineName || ms[3].Model.MustGet() != ai.OfflineModel ||
			!ms[0].CreatedAt.Equal(at("2026-11-10T10:01:00Z")) || ms[0].ConversationId != c.Id {
			t.Fatalf("message fields %+v %+v", ms[0], ms[1])
		}
		if reqs := llm.requests(); reqs[len(reqs)-1]["model"] != "gpt-5" {
			t.Fatalf("the conversation's model was not used: %v", reqs[len(reqs)-1]["model"])
		}
		if page := h.messages(u, c.Id.String(), "?limit=2&offset=1"); transcript(page) != transcript(ms[1:3]) {
			t.Fatalf("message page %s", transcript(page))
		}
		if got := h.messages(u, third.Id.String(), ""); len(got) != 0 {
			t.Fatalf("empty conversation lists %v", got)
		}

		// Delete: the conversation, its messages and its sessions go; a second delete is 404.
		h.raw("POST", convPath(c.Id.String(), "/session/start"), nil, u.auth()).expect(t, 200)
		h.raw("DELETE", convPath(c.Id.String()), nil, u.auth()).expect(t, 204)
		for _, table := range []string{"conversation_messages", "learning_sessions"} {
			if n := h.countRows(table, "conversation_id = ?", c.Id.String()); n != 0 {
				t.Fatalf("%d rows of %s left", n, table)
			}
		}
		h.raw("DELETE", convPath(c.Id.String()), nil, u.auth()).expect(t, 404)
		h.raw("GET", convPath(c.Id.String(), "/messages"), nil, u.auth()).expect(t, 404)
		if d := h.chat(u, map[string]any{"message": "hi", "conversation_id": c.Id}).expect(t, 404).errorBody(t); d.Message != "Conversation not found" {
			t.Fatalf("chat in a deleted conversation: %+v", d)
		}
		if got := titles(h.conversations(u, "")); got != "Past tenses,Third" {
			t.Fatalf("after delete %s", got)
		}
	}, llm.option("gpt-5-mini", "gpt-5"))
}

// TestListProviders: auto first, then the configured providers with their models, the offline
// tutor last, named for what it is; nothing secret in the answer.
func TestListProviders(t *testing.T) {
	llm := newFakeLLM(t, func(map[string]any) llmReply { return llmReply{Text: "ok"} })
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("prov")
		r := h.raw("GET", "/api/core/providers", nil, u.auth()).expect(t, 200)
		if strings.Contains(string(r.Body), "sk-test-fake") || strings.Contains(string(r.Body), llm.srv.URL) {
			t.Fatalf("providers leak configuration: %s", r.Body)
		}
		var ps []api.ProviderInfo
		r.decode(t, &ps)
		var got []string
		for _, p := range ps {
			got = append(got, fmt.Sprintf("%s(%s)%v:%s=%s", p.Id, p.Name, p.Available, strings.Join(p.Models, "+"), p.DefaultModel.MustGet()))
		}
		want := "auto(Automatic)true:gpt-5-mini+gpt-5+xentree-offline-tutor-1=gpt-5-mini openai(OpenAI)true:gpt-5-mini+gpt-5=gpt-5-mini " +
			"offline(Offline tutor (no AI model))true:xentree-offline-tutor-1=xentree-offline-tutor-1"
		if strings.Join(got, " ") != want {
			t.Fatalf("providers\n%s\nwant\n%s", strings.Join(got, " "), want)
		}
	}, llm.option("gpt-5-mini", "gpt-5"))
}

// canary is a string that must only ever reach its owner.
func canary(owner string) string { return "canary-" + owner + "-7f3e9a" }

// TestConversationsArePrivate: another user's conversations are 404 on every route and stay
// untouched; their titles, messages and history never reach anyone else (canary strings in
// lists, messages, chat answers and what the provider is sent); API keys need the spec's
// scopes and act as their creator.
func TestConversationsArePrivate(t *testing.T) {
	var llm *fakeLLM
	llm = newFakeLLM(t, func(req map[string]any) llmReply { return llmReply{Text: "echo: " + promptOf(req)} })
	eachDB(t, func(t *testing.T, h *harness) {
		alice, bob := h.newUser("alice"), h.newUser("bob")
		secret := canary("alice")
		ac := h.createConversation(alice, map[string]any{"title": "Title " + secret, "system_prompt": "Prompt " + secret})
		h.chatOK(alice, map[string]any{"message": "Message " + secret, "conversation_id": ac.Id})
		h.raw("POST", convPath(ac.Id.String(), "/session/start"), nil, alice.auth()).expect(t, 200)
		before := h.messages(alice, ac.Id.String(), "")
		h.clock.Advance(30 * time.Second)

		id := ac.Id.String()
		for _, r := range []struct{ method, path string }{
			{"GET", convPath(id, "/messages")}, {"DELETE", convPath(id)},
			{"POST", convPath(id, "/session/start")}, {"POST", convPath(id, "/session/activity")},
			{"POST", convPath(id, "/session/end")}, {"GET", convPath(id, "/session/status")},
		} {
			if d := h.raw(r.method, r.path, nil, bob.auth()).expect(t, 404).errorBody(t); d.Error != "not_found" {
				t.Errorf("%s %s: %+v", r.method, r.path, d)
			}
		}
		// Bob's chat naming Alice's conversation: 404, no provider call, nothing stored.
		calls := len(llm.requests())
		h.chat(bob, map[string]any{"message": "Tell me " + canary("bob"), "conversation_id": ac.Id}).expect(t, 404)
		if len(llm.requests()) != calls {
			t.Fatal("a chat into another's conversation reached the provider")
		}

		// Bob's own conversation and chats never see Alice's text.
		bc := h.createConversation(bob, nil)
		answer := h.chatOK(bob, map[string]any{"message": "What did we talk about?", "conversation_id": bc.Id})
		stateless := h.chatOK(bob, map[string]any{"message": "And before?"})
		var seen []string
		seen = append(seen, answer.Content, stateless.Content, titles(h.conversations(bob, "")),
			transcript(h.messages(bob, bc.Id.String(), "")))
		for _, req := range llm.requests()[calls:] {
			seen = append(seen, promptOf(req))
		}
		for _, s := range seen {
			if strings.Contains(s, secret) {
				t.Fatalf("Alice's canary reached Bob: %s", s)
			}
		}
		if !strings.Contains(answer.Content, "What did we talk about?") {
			t.Fatalf("the fake did not echo Bob's prompt: %s", answer.Content)
		}

		// Alice's conversation and session are as she left them.
		if after := h.messages(alice, id, ""); transcript(after) != transcript(before) {
			t.Fatalf("Alice's messages changed: %s", transcript(after))
		}
		var s api.LearningSessionResponse
		h.raw("GET", convPath(id, "/session/status"), nil, alice.auth()).expect(t, 200).decode(t, &s)
		if s.Status != "active" || s.ActiveSeconds != 0 {
			t.Fatalf("Alice's session was touched: %+v", s)
		}
		if got := titles(h.conversations(alice, "")); !strings.Contains(got, secret) || strings.Contains(got, "New conversation") {
			t.Fatalf("Alice's list %s", got)
		}

		// API keys: conversations:read lists and reads; writing needs conversations:write.
		org := h.createOrg(alice, "Alice Org").Id.String()
		read, _ := h.newKey(alice, org, []string{"conversations:read"})
		write, _ := h.newKey(alice, org, []string{"conversations:write"})
		h.raw("GET", "/api/core/conversations", nil, apiKey(read)).expect(t, 200)
		h.raw("GET", "/api/core/providers", nil, apiKey(read)).expect(t, 200)
		var viaKey []api.MessageResponse
		h.raw("GET", convPath(id, "/messages"), nil, apiKey(read)).expect(t, 200).decode(t, &viaKey)
		if transcript(viaKey) != transcript(before) {
			t.Fatal("the key does not act as its creator")
		}
		h.raw("GET", convPath(id, "/session/status"), nil, apiKey(read)).expect(t, 200)
		for _, r := range []struct {
			method, path string
			body         any
		}{
			{"POST", "/api/core/chat", map[string]any{"message": "hi"}},
			{"POST", "/api/core/conversations", map[string]any{}},
			{"DELETE", convPath(id), nil},
			{"POST", convPath(id, "/session/start"), nil},
			{"POST", convPath(id, "/session/activity"), nil},
			{"POST", convPath(id, "/session/end"), nil},
		} {
			d := h.raw(r.method, r.path, r.body, apiKey(read)).expect(t, 403).errorBody(t)
			if d.Error != "INSUFFICIENT_API_KEY_SCOPE" || d.RequiredScope == nil || *d.RequiredScope != "conversations:write" {
				t.Errorf("%s %s with a read key: %+v", r.method, r.path, d)
			}
		}
		for _, path := range []string{"/api/core/conversations", convPath(id, "/messages"), "/api/core/providers", convPath(id, "/session/status")} {
			if d := h.raw("GET", path, nil, apiKey(write)).expect(t, 403).errorBody(t); *d.RequiredScope != "conversations:read" {
				t.Errorf("GET %s with a write key: %+v", path, d)
			}
		}
		var viaWrite api.ChatResponse
		h.raw("POST", "/api/core/chat", map[string]any{"message": "One more", "conversation_id": ac.Id}, apiKey(write)).expect(t, 200).decode(t, &viaWrite)
		if viaWrite.ConversationId.MustGet() != ac.Id {
			t.Fatalf("chat with a write key: %+v", viaWrite)
		}
	}, llm.option())
}

// decodeJSON decodes raw JSON into v, failing the test.
func decodeJSON(t testing.TB, raw []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
}
