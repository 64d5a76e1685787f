package server_test

import (
	"context"
	"testing"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/server"
)

// loadLibrary loads the shipped study library, as the binary does at start.
func (h *harness) loadLibrary() {
	h.t.Helper()
	if err := server.LoadLibrary(context.Background(), h.store, h.log); err != nil {
		h.t.Fatalf("load library: %v", err)
	}
}

// createDoc stores a document through the API (shared with orgID unless "").
func (h *harness) createDoc(u *user, title, content, orgID string) api.KnowledgeDocumentResponse {
	h.t.Helper()
	body := map[string]any{"title": title, "content": content}
	if orgID != "" {
		body["organization_id"] = orgID
	}
	var d api.KnowledgeDocumentResponse
	h.raw("POST", "/api/knowledge/documents", body, u.auth()).expect(h.t, 201).decode(h.t, &d)
	return d
}

// ksearch runs a knowledge search with cred.
func (h *harness) ksearch(cred header, query string, extra ...map[string]any) []api.KnowledgeSearchHit {
	h.t.Helper()
	body := map[string]any{"query": query, "limit": 50}
	for _, e := range extra {
		for k, v := range e {
			body[k] = v
		}
	}
	var hits []api.KnowledgeSearchHit
	h.raw("POST", "/api/knowledge/search", body, cred).expect(h.t, 200).decode(h.t, &hits)
	return hits
}

func TestKnowledgeSmoke(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.loadLibrary()
		u := h.newUser("ks")
		d := h.createDoc(u, "Refund policy", "# Refunds\n\nRefunds are possible within 30 days of purchase when running late.", "")
		t.Logf("%+v", d)
		for _, q := range []string{"refund", "run", "second conditional", "NEAR(\"x\" -y*)"} {
			hits := h.ksearch(u.auth(), q)
			for i, x := range hits[:min(3, len(hits))] {
				t.Logf("%s #%d %s | %s | %.4f | %s", q, i, x.Title, x.Heading, x.Score, x.Snippet)
			}
		}
	})
}
