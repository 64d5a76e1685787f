package server

import (
	"context"
	"slices"

	"github.com/xentree/xentree-api/internal/ai"
	"github.com/xentree/xentree-api/internal/search"
	"github.com/xentree/xentree-api/store"
)

// libraryPassageSource names the study library as a passage's source.
const libraryPassageSource = "Xentree study library"

// tutorTerms is how many words of a tutor query are searched (it sends at most 12).
const tutorTerms = 12

// retriever is what the offline tutor retrieves passages through: the knowledge search over the
// study library and the documents the user may read (their own and their organizations'),
// matching any word of the query, best first. The caller's credential comes with the request
// context: an API key narrows retrieval to its organization.
type retriever struct{ st *store.Store }

var _ ai.Retriever = (*retriever)(nil)

func newRetriever(d *deps) ai.Retriever { return &retriever{st: d.store} }

// Retrieve finds passages for plain words; the words are read as search.Terms, never syntax.
func (r *retriever) Retrieve(ctx context.Context, userID, query string, limit int) ([]ai.Passage, error) {
	reader := store.Reader{UserID: userID, Library: true}
	// A chat made with an API key reads what that key may read: its organization's documents,
	// never the owner's private ones (as knowledge search and RAG do).
	// A key without rag:read (the scope of the knowledge routes) reads the library only.
	if p, err := principal(ctx); err == nil && p.APIKey != nil && p.User.ID == userID {
		reader.KeyOrg = p.APIKey.OrganizationID
		if !slices.Contains(p.APIKey.Scopes, "rag:read") {
			reader = store.Reader{UserID: userID, OnlyLibrary: true}
		}
	}
	hits, err := r.st.SearchKnowledge(ctx, reader, search.Terms(query, tutorTerms), limit)
	if err != nil {
		return nil, err
	}
	out := make([]ai.Passage, len(hits))
	for i, h := range hits {
		title := h.Heading
		if title == "" {
			title = h.Title
		}
		source := h.Title
		if h.Slug != nil {
			source = libraryPassageSource
		}
		out[i] = ai.Passage{Title: title, Text: h.Text, Source: source, Score: h.Score}
	}
	return out, nil
}
