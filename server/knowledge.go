package server

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/oapi-codegen/nullable"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/internal/ai"
	"github.com/xentree/xentree-api/internal/rag"
	"github.com/xentree/xentree-api/internal/search"
	"github.com/xentree/xentree-api/store"
)

// KnowledgeAPI implements the knowledge base: documents, retrieval and RAG answers.
type KnowledgeAPI struct{ *deps }

// maxDocumentBytes bounds a document's text (JSON or upload), in UTF-8 bytes.
const maxDocumentBytes = 1_000_000

var (
	errDocumentTooLarge = newError(http.StatusRequestEntityTooLarge, "document_too_large", "A document may hold at most 1,000,000 bytes of text")
	errEmptyDocument    = unprocessable("empty_document", "The document has no text")
	errInvalidEncoding  = unprocessable("invalid_encoding", "The text must be UTF-8 without NUL characters")
	errInvalidDocTitle  = unprocessable("invalid_title", "The title must not be blank or contain control or invisible formatting characters")
	errLibraryDocument  = newError(http.StatusForbidden, "library_document", "Documents of the study library cannot be deleted")
)

func documentNotFound() *APIError { return notFoundError("Document") }

// reader is what the caller may read: its own and its organizations' documents (an API key:
// its organization's only), the library when asked, or the documents of one organization it
// belongs to (404 otherwise).
func (a *KnowledgeAPI) reader(ctx context.Context, p *Principal, orgID *uuid.UUID, library bool) (store.Reader, error) {
	r := store.Reader{UserID: p.User.ID, Library: library}
	if p.ViaAPIKey() {
		r.KeyOrg = p.APIKey.OrganizationID
	}
	if orgID != nil {
		if _, err := a.orgRole(ctx, p, orgID.String()); err != nil {
			return r, orgErr(err)
		}
		r.OnlyOrg = orgID.String()
	}
	return r, nil
}

// SearchKnowledge returns the chunks best matching the query among what the caller may read.
func (a *KnowledgeAPI) SearchKnowledge(ctx context.Context, req api.SearchKnowledgeRequestObject) (api.SearchKnowledgeResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	r, err := a.reader(ctx, p, req.Body.OrganizationId, true)
	if err != nil {
		return nil, err
	}
	hits, err := a.store.SearchKnowledge(ctx, r, search.Terms(req.Body.Query, 0), valueOr(req.Body.Limit, 5))
	if err != nil {
		return nil, err
	}
	out := make(api.SearchKnowledge200JSONResponse, len(hits))
	for i := range hits {
		out[i] = hitResponse(&hits[i])
	}
	return out, nil
}

func hitResponse(h *store.KnowledgeHit) api.KnowledgeSearchHit {
	return api.KnowledgeSearchHit{DocumentId: uuidOf(h.DocumentID), ChunkId: uuidOf(h.ChunkID), Title: h.Title,
		Heading: h.Heading, Snippet: api.Snippet(search.Snippet(h.Snippet)), Score: float32(h.Score)}
}

func valueOr[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

// ListKnowledgeDocuments lists the documents the caller may read, newest first.
func (a *KnowledgeAPI) ListKnowledgeDocuments(ctx context.Context, req api.ListKnowledgeDocumentsRequestObject) (api.ListKnowledgeDocumentsResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	r, err := a.reader(ctx, p, req.Params.OrganizationId, valueOr(req.Params.IncludeLibrary, false))
	if err != nil {
		return nil, err
	}
	limit, offset := page(req.Params.Limit, req.Params.Offset)
	docs, err := a.store.ListKnowledgeDocuments(ctx, r, limit, offset)
	if err != nil {
		return nil, err
	}
	out := make(api.ListKnowledgeDocuments200JSONResponse, len(docs))
	for i := range docs {
		out[i] = documentResponse(&docs[i])
	}
	return out, nil
}

func documentResponse(d *store.KnowledgeDocument) api.KnowledgeDocumentResponse {
	source := api.KnowledgeDocumentResponseSourceUser
	if d.Slug != nil {
		source = api.KnowledgeDocumentResponseSourceLibrary
	}
	return api.KnowledgeDocumentResponse{Id: uuidOf(d.ID), Title: d.Title, Source: source,
		OwnerUserId: nullableUUID(d.OwnerUserID), OrganizationId: nullableUUID(d.OrganizationID),
		ContentType: api.KnowledgeDocumentResponseContentType(d.ContentType), ChunkCount: d.ChunkCount,
		SizeBytes: d.SizeBytes, CreatedAt: d.CreatedAt}
}

// newDocument is a document to create, from JSON or an upload.
type newDocument struct {
	title, content, contentType string
	orgID                       *uuid.UUID
}

// CreateKnowledgeDocument stores and indexes a document from JSON or a multipart upload.
func (a *KnowledgeAPI) CreateKnowledgeDocument(ctx context.Context, req api.CreateKnowledgeDocumentRequestObject) (api.CreateKnowledgeDocumentResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	var nd newDocument
	switch {
	case req.JSONBody != nil:
		nd = newDocument{title: req.JSONBody.Title, content: req.JSONBody.Content, contentType: store.ContentMarkdown,
			orgID: req.JSONBody.OrganizationId}
	case req.MultipartBody != nil:
		if nd, err = readUpload(req.MultipartBody); err != nil {
			return nil, err
		}
	default:
		return nil, errUnsupportedMediaType
	}
	d, chunks, err := a.prepare(ctx, p, nd)
	if err != nil {
		return nil, err
	}
	if err := a.store.CreateKnowledgeDocument(ctx, d, chunks); err != nil {
		if store.IsForeignKey(err) { // the organization was deleted meanwhile
			return nil, notFoundError("Organization")
		}
		return nil, err
	}
	return api.CreateKnowledgeDocument201JSONResponse(documentResponse(d)), nil
}

// prepare checks a new document (title, text, organization) and chunks it.
func (a *KnowledgeAPI) prepare(ctx context.Context, p *Principal, nd newDocument) (*store.KnowledgeDocument, []store.DocumentChunk, error) {
	title, err := cleanName(nd.title)
	if err != nil {
		return nil, nil, errInvalidDocTitle
	}
	text, err := normalizeText(nd.content)
	if err != nil {
		return nil, nil, err
	}
	d := &store.KnowledgeDocument{OwnerUserID: &p.User.ID, Title: title, Content: text, ContentType: nd.contentType}
	org := ""
	if nd.orgID != nil {
		org = nd.orgID.String()
	} else if p.ViaAPIKey() {
		org = p.APIKey.OrganizationID // a key acts inside its organization only
	}
	if org != "" {
		if _, err := a.orgRole(ctx, p, org); err != nil {
			return nil, nil, orgErr(err)
		}
		d.OrganizationID = &org
	}
	chunks := documentChunks(text)
	if len(chunks) == 0 {
		return nil, nil, errEmptyDocument
	}
	return d, chunks, nil
}

// normalizeText checks a document's text and normalizes it as stored: no byte order mark, LF
// line ends, at most maxDocumentBytes.
func normalizeText(s string) (string, error) {
	if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
		return "", errInvalidEncoding
	}
	s = strings.TrimPrefix(s, "\uFEFF")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	if len(s) > maxDocumentBytes {
		return "", errDocumentTooLarge
	}
	if strings.TrimSpace(s) == "" {
		return "", errEmptyDocument
	}
	return s, nil
}

// DeleteKnowledgeDocument deletes a document (its owner, or an admin of its organization).
func (a *KnowledgeAPI) DeleteKnowledgeDocument(ctx context.Context, req api.DeleteKnowledgeDocumentRequestObject) (api.DeleteKnowledgeDocumentResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	id := req.DocumentId.String()
	err = a.store.Tx(ctx, func(tx *store.Store) error {
		d, err := tx.KnowledgeDocumentByID(ctx, id)
		if err != nil {
			return err
		}
		if err := mayDelete(ctx, tx, p, d); err != nil {
			return err
		}
		return tx.DeleteKnowledgeDocument(ctx, id)
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, documentNotFound()
	}
	if err != nil {
		return nil, err
	}
	return api.DeleteKnowledgeDocument204Response{}, nil
}

// mayDelete: the owner (not through an API key for a private document, which keys cannot see)
// and admins of the document's organization may delete it; other readers get 403, everyone
// else 404. The library is read-only.
func mayDelete(ctx context.Context, tx *store.Store, p *Principal, d *store.KnowledgeDocument) error {
	if d.Slug != nil {
		return errLibraryDocument
	}
	owner := *d.OwnerUserID == p.User.ID
	if d.OrganizationID == nil {
		if owner && !p.ViaAPIKey() {
			return nil
		}
		return documentNotFound()
	}
	role, err := roleIn(ctx, tx, p, *d.OrganizationID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		if owner && !p.ViaAPIKey() { // an owner who left the organization still owns it
			return nil
		}
		return documentNotFound()
	case err != nil:
		return err
	case owner || isOrgAdmin(role):
		return nil
	}
	return errForbidden
}

func allOf(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// noMatchAnswer is the RAG answer when nothing in the knowledge base matches.
const noMatchAnswer = "I found nothing in the knowledge base about this question, so I cannot answer it from there. Try other words, or add a document that covers it."

// An offline answer quotes at most extractiveSources passages, those scoring at least
// extractiveRatio of the best (weaker ones share only a common word with the question).
const (
	extractiveSources = 3
	extractiveRatio   = 0.5
)

// RagQuery answers a question from the best-matching chunks, citing them.
func (a *KnowledgeAPI) RagQuery(ctx context.Context, req api.RagQueryRequestObject) (api.RagQueryResponseObject, error) {
	p, err := principal(ctx)
	if err != nil {
		return nil, err
	}
	b := req.Body
	provider, model := valueOr(b.Provider, ai.AutoName), valueOr(b.Model, "")
	if err := a.ai.ValidateModel(provider, model); err != nil {
		return nil, err
	}
	r, err := a.reader(ctx, p, b.OrganizationId, true)
	if err != nil {
		return nil, err
	}
	terms := search.Terms(b.Query, 0)
	hits, err := a.store.SearchKnowledge(ctx, r, terms, valueOr(b.Limit, 5))
	if err != nil {
		return nil, err
	}
	if len(hits) == 0 {
		return api.RagQuery200JSONResponse{Answer: noMatchAnswer, Provider: nullable.NewNullNullable[string](),
			Model: nullable.NewNullNullable[string](), Sources: []api.KnowledgeSearchHit{}}, nil
	}
	passages := make([]rag.Passage, len(hits))
	for i, h := range hits {
		passages[i] = rag.Passage{Title: h.Title, Heading: h.Heading, Text: h.Text}
	}
	var llm ai.Provider
	switch {
	case provider == ai.OfflineName || model == ai.OfflineModel:
	case provider == ai.AutoName:
		llm = a.ai.Remote() // "auto" without a model to ask is the offline answer
	default:
		if llm, err = a.ai.Provider(provider); err != nil {
			return nil, err
		}
	}
	answer, used, by, with := "", []int(nil), ai.OfflineName, ai.OfflineModel
	if llm != nil {
		// A provider is about to be asked: the call spends the caller's chat allowance.
		if err := a.throttleChat(ctx, p.User.ID); err != nil {
			return nil, err
		}
		res, err := llm.Complete(ctx, ai.Request{Model: model, System: rag.System, UserID: p.User.ID,
			Messages: []ai.Message{{Role: ai.RoleUser, Content: rag.Prompt(b.Query, passages)}}})
		switch {
		case err == nil && strings.TrimSpace(res.Content) != "":
			if answer, used = rag.Cite(res.Content, len(passages)); used == nil {
				used = allOf(len(passages)) // grounded on them all, citing none
			}
			by, with = res.Provider, res.Model
		case err != nil && (provider != ai.AutoName || ctx.Err() != nil):
			return nil, err
		default: // "auto" falls back to the offline answer, as it does to the offline tutor
			a.log.WarnContext(ctx, "rag: no provider answered, answering offline", "err", err)
		}
	}
	if answer == "" {
		strong := 1 // the offline answer quotes the passages that match nearly as well as the best
		for strong < len(hits) && hits[strong].Score >= extractiveRatio*hits[0].Score {
			strong++
		}
		answer, used = rag.Extractive(terms, passages[:strong], extractiveSources)
	}
	sources := make([]api.KnowledgeSearchHit, len(used))
	for i, k := range used {
		sources[i] = hitResponse(&hits[k])
	}
	return api.RagQuery200JSONResponse{Answer: answer, Provider: nullable.NewNullableWithValue(by),
		Model: nullable.NewNullableWithValue(with), Sources: sources}, nil
}
