package server_test

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// TestContentSearchHonoursKeyScopes: content search takes conversations:read, but a key with
// that scope alone must not read through it what other scopes guard: the creator's Live
// transcripts (live:read) and documents (rag:read). A key holding those scopes too finds them.
func TestContentSearchHonoursKeyScopes(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.clock.Freeze(at("2026-11-10T10:00:00Z"))
		u := h.newUser("scoped")
		org := h.createOrg(u, "Scoped Org").Id.String()
		const word = "quibblefrost"
		start := h.store.Now().Add(-time.Hour)
		h.raw("POST", "/api/live/transcripts", transcriptBody(start, "", turn("user", "I said "+word+" today", start.Add(time.Second))), u.auth()).expect(t, 201)
		h.createDoc(u, "Shared notes", "The "+word+" plan for the team.", org)
		h.createConversation(u, map[string]any{"title": "About " + word})

		kinds := func(key string) []string {
			var out []string
			for _, hit := range h.csearch(apiKey(key), word) {
				out = append(out, string(hit.Type))
			}
			slices.Sort(out)
			return out
		}
		narrow, _ := h.newKey(u, org, []string{"conversations:read"})
		if got := kinds(narrow); !slices.Equal(got, []string{"conversation"}) {
			t.Fatalf("a conversations:read key found %v, want only the conversation", got)
		}
		if got := h.csearch(apiKey(narrow), word, "&types=transcript,document"); len(got) != 0 {
			t.Fatalf("asking for transcripts and documents by type: %+v", got)
		}
		wide, _ := h.newKey(u, org, []string{"conversations:read", "live:read", "rag:read"})
		if got := kinds(wide); !slices.Equal(got, []string{"conversation", "document", "transcript"}) {
			t.Fatalf("a key with every scope found %v", got)
		}
		if got := len(h.csearch(u.auth(), word)); got != 3 {
			t.Fatalf("the bearer found %d hits, want 3", got)
		}
	})
}

// TestTutorRetrievalHonoursKeyScopes: a chat made with an API key holding conversations:write
// alone answers from the study library only; the organization's documents reach the offline
// tutor's answer when the key may read them (rag:read), as through knowledge search.
func TestTutorRetrievalHonoursKeyScopes(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.loadLibrary()
		u := h.newUser("tutorscope")
		org := h.createOrg(u, "Zorble Org").Id.String()
		h.createDoc(u, "Team glossary", "Zorblemancy is the quiet art of stacking zorbles.", org)
		ask := func(key string) string {
			var out struct{ Content string }
			h.raw("POST", "/api/core/chat", map[string]any{"message": "What does zorblemancy mean?", "provider": "offline"}, apiKey(key)).
				expect(t, 200).decode(t, &out)
			return out.Content
		}
		chatOnly, _ := h.newKey(u, org, []string{"conversations:write"})
		if got := ask(chatOnly); strings.Contains(got, "stacking zorbles") || strings.Contains(got, "Team glossary") {
			t.Errorf("a key without rag:read had the organization's document quoted:\n%s", got)
		}
		reader, _ := h.newKey(u, org, []string{"conversations:write", "rag:read"})
		if got := ask(reader); !strings.Contains(got, "stacking zorbles") {
			t.Errorf("a key with rag:read did not get the organization's document:\n%s", got)
		}
	})
}
