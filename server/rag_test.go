package server_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/internal/ai"
	"github.com/xentree/xentree-api/internal/rag"
)

func (h *harness) ragQuery(cred header, body map[string]any, status int) (resp, api.RAGQueryResponse) {
	h.t.Helper()
	r := h.raw("POST", "/api/rag/query", body, cred).expect(h.t, status)
	var out api.RAGQueryResponse
	if status == 200 {
		r.decode(h.t, &out)
	}
	return r, out
}

// passageNumber finds "[n] <title>" in a grounded prompt.
func passageNumber(prompt, title string) string {
	m := regexp.MustCompile(`(?m)^\[(\d+)\] ` + regexp.QuoteMeta(title)).FindStringSubmatch(prompt)
	if m == nil {
		return ""
	}
	return m[1]
}

// TestRAGQuery against an httptest OpenAI-compatible upstream: the prompt carries the retrieved
// chunks (and nothing of other users'), the sources are the passages the answer cites,
// renumbered; with nothing relevant the answer says so without asking the provider; the offline
// answer is extractive and labelled; provider failures are 502 (503 when rate-limited), or the
// offline answer for auto.
func TestRAGQuery(t *testing.T) {
	var script func(prompt string) llmReply
	fake := newFakeLLM(t, func(req map[string]any) llmReply { return script(promptOf(req)) })
	eachDB(t, func(t *testing.T, h *harness) {
		h.loadLibrary()
		u, other := h.newUser("rag"), h.newUser("rag_other")
		for _, d := range rankingCorpus {
			h.createDoc(u, d[0], d[1], "")
		}
		h.createDoc(other, "Other refund rules", "Refund secrets of someone else: "+canaryPrivate, "")
		question := map[string]any{"query": "How long do I have to ask for a refund?", "limit": 3}
		hits := h.ksearch(u.auth(), "How long do I have to ask for a refund?", map[string]any{"limit": 3})
		if len(hits) != 3 || hits[0].Title != "Refund policy" {
			t.Fatalf("hits %q", hitTitles(hits))
		}

		var prompt string
		script = func(p string) llmReply {
			prompt = p
			return llmReply{Text: "You have 30 days [" + passageNumber(p, "Refund policy") + "]."}
		}
		_, res := h.ragQuery(u.auth(), question, 200)
		if !strings.Contains(prompt, rankingCorpus[0][1]) || !strings.Contains(prompt, "Question: How long do I have to ask for a refund?") ||
			!strings.Contains(prompt, "only the numbered passages") || strings.Contains(prompt, canaryPrivate) {
			t.Fatalf("prompt:\n%s", prompt)
		}
		for _, hit := range hits {
			if passageNumber(prompt, hit.Title) == "" {
				t.Errorf("prompt lacks retrieved passage %q", hit.Title)
			}
		}
		if res.Answer != "You have 30 days [1]." || res.Provider.MustGet() != "openai" || res.Model.MustGet() != "gpt-5-mini" ||
			len(res.Sources) != 1 || res.Sources[0].ChunkId != hits[0].ChunkId {
			t.Fatalf("cited answer: %+v", res)
		}

		// Citing the third and the first passage: sources in citation order, renumbered.
		script = func(p string) llmReply {
			return llmReply{Text: "See [" + passageNumber(p, hits[2].Title) + "] and [" + passageNumber(p, "Refund policy") + "]."}
		}
		if _, res = h.ragQuery(u.auth(), question, 200); res.Answer != "See [1] and [2]." ||
			len(res.Sources) != 2 || res.Sources[0].ChunkId != hits[2].ChunkId || res.Sources[1].ChunkId != hits[0].ChunkId {
			t.Errorf("renumbered: %+v", res)
		}
		// No citation: the answer rests on every passage given.
		script = func(string) llmReply { return llmReply{Text: "Thirty days."} }
		if _, res = h.ragQuery(u.auth(), question, 200); len(res.Sources) != 3 {
			t.Errorf("uncited: %d sources", len(res.Sources))
		}

		// Nothing relevant: said so, no provider asked.
		calls := len(fake.requests())
		_, res = h.ragQuery(u.auth(), map[string]any{"query": "xylophone quasar " + canaryPrivate}, 200)
		if !strings.Contains(res.Answer, "found nothing in the knowledge base") || !res.Provider.IsNull() || !res.Model.IsNull() ||
			len(res.Sources) != 0 || len(fake.requests()) != calls {
			t.Errorf("no match: %+v (%d calls)", res, len(fake.requests())-calls)
		}

		// The offline answer: extractive, labelled, citing what it quotes.
		_, res = h.ragQuery(u.auth(), map[string]any{"query": "How long do I have to ask for a refund?", "provider": "offline"}, 200)
		if !strings.HasPrefix(res.Answer, rag.ExtractiveLabel) || !strings.Contains(res.Answer, "- **Refund policy**: Refunds are possible within 30 days of purchase. To ask for a refund, contact support with your order number. [1]") ||
			len(res.Sources) != 1 ||
			res.Provider.MustGet() != ai.OfflineName || res.Model.MustGet() != ai.OfflineModel || len(res.Sources) == 0 ||
			res.Sources[0].Title != "Refund policy" || len(fake.requests()) != calls {
			t.Errorf("offline: %+v", res)
		}
		// Grounded on the study library, for everyone.
		_, res = h.ragQuery(other.auth(), map[string]any{"query": "When do we use the second conditional?", "provider": "offline"}, 200)
		if len(res.Sources) == 0 || res.Sources[0].Title != "Conditionals" {
			t.Errorf("library: %+v", res)
		}

		// Failures: a chosen provider's are 502/503; auto falls back to the offline answer.
		h.serverFaultsExpected = true
		script = func(string) llmReply { return llmReply{Status: 500} }
		if r, _ := h.ragQuery(u.auth(), map[string]any{"query": "refund", "provider": "openai"}, 502); r.errorBody(t).Error != "provider_error" {
			t.Errorf("500: %s", r.Body)
		}
		if _, res = h.ragQuery(u.auth(), map[string]any{"query": "refund"}, 200); res.Provider.MustGet() != ai.OfflineName ||
			!strings.HasPrefix(res.Answer, rag.ExtractiveLabel) {
			t.Errorf("auto after a failure: %+v", res)
		}
		script = func(string) llmReply { return llmReply{Status: 429, RetryAfter: "7"} }
		if r, _ := h.ragQuery(u.auth(), map[string]any{"query": "refund", "provider": "openai"}, 503); r.errorBody(t).Error != "provider_unavailable" ||
			r.Header.Get("Retry-After") != "7" {
			t.Errorf("429: %s %v", r.Body, r.Header)
		}
		script = func(string) llmReply { return llmReply{Delay: 5 * time.Second} }
		if r, _ := h.ragQuery(u.auth(), map[string]any{"query": "refund", "provider": "openai"}, 502); r.errorBody(t).Error != "provider_timeout" {
			t.Errorf("timeout: %s", r.Body)
		}
		h.serverFaultsExpected = false
		for body, code := range map[string]string{"nope": "unknown_provider", "gpt-9": "unknown_model"} {
			b := map[string]any{"query": "refund", "provider": body}
			if code == "unknown_model" {
				b = map[string]any{"query": "refund", "provider": "openai", "model": body}
			}
			if r, _ := h.ragQuery(u.auth(), b, 422); r.errorBody(t).Error != code {
				t.Errorf("%s: %s", body, r.Body)
			}
		}
		h.raw("POST", "/api/rag/query", map[string]any{"query": "refund", "organization_id": h.createOrg(other, "Not Mine").Id.String()}, u.auth()).expect(t, 404)
	}, fake.option())
	// With no provider configured, auto is the offline answer. (A subtest: a second eachDB
	// at the same level would name its SQLite folder "sqlite#01", and "#" cuts a file URI.)
	t.Run("no provider", func(t *testing.T) {
		eachDB(t, func(t *testing.T, h *harness) {
			u := h.newUser("rag_plain")
			h.createDoc(u, "Refund policy", rankingCorpus[0][1], "")
			_, res := h.ragQuery(u.auth(), map[string]any{"query": "refund"}, 200)
			if res.Provider.MustGet() != ai.OfflineName || !slices.ContainsFunc(res.Sources, func(s api.KnowledgeSearchHit) bool { return s.Title == "Refund policy" }) {
				t.Errorf("auto offline: %+v", res)
			}
		})
	})
}
