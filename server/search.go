package server

import (
	"context"
	"slices"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/internal/search"
	"github.com/xentree/xentree-api/store"
)

// SearchAPI implements content search: the caller's own documents, transcripts,
// conversations and messages, over the one full-text index (store.SearchContent).
type SearchAPI struct{ *deps }

// contentKindScope is the API-key scope, besides the route's conversations:read, a key needs to
// find each kind of content its own routes guard: transcripts (live:read), documents
// (rag:read). A key without it searches the other kinds only.
var contentKindScope = map[string]string{store.KindTranscript: "live:read", store.KindDocument: "rag:read"}

// SearchContent searches the caller's own content, one hit per object, best first.
func (a *SearchAPI) SearchContent(ctx context.Context, req api.SearchContentRequestObject) (api.SearchContentResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	q := store.ContentQuery{UserID: p.User.ID, Terms: search.Terms(req.Params.Q, 0), Limit: valueOr(req.Params.Limit, 20)}
	if p.ViaAPIKey() {
		q.KeyOrg = p.APIKey.OrganizationID
	}
	kinds := store.AllKinds
	if req.Params.Types != nil {
		kinds = nil
		for _, t := range *req.Params.Types {
			if !slices.Contains(kinds, string(t)) {
				kinds = append(kinds, string(t))
			}
		}
	}
	for _, k := range kinds {
		// The route takes conversations:read; what other scopes guard a key reads only with them.
		if need, ok := contentKindScope[k]; ok && p.ViaAPIKey() && !slices.Contains(p.APIKey.Scopes, need) {
			continue
		}
		q.Kinds = append(q.Kinds, k)
	}
	if len(q.Kinds) == 0 {
		return api.SearchContent200JSONResponse{}, nil
	}
	hits, err := a.store.SearchContent(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make(api.SearchContent200JSONResponse, len(hits))
	for i, h := range hits {
		title := h.Title
		if h.Kind == store.KindTranscript && h.SessionStartedAt != nil {
			title = "Live session of " + h.SessionStartedAt.UTC().Format("2 January 2006, 15:04 UTC")
		}
		out[i] = api.SearchResult{Type: api.SearchContentType(h.Kind), Id: uuidOf(h.ObjectID), Title: title,
			ConversationId: nullableUUID(h.ConversationID), Snippet: api.Snippet(search.Snippet(h.Snippet)),
			Score: float32(h.Score), CreatedAt: h.CreatedAt}
	}
	return out, nil
}
