package server

import (
	"context"

	api "github.com/xentree/xentree-api/gen"
)

// KnowledgeAPI implements the knowledge base: documents, retrieval and RAG answers.
type KnowledgeAPI struct{ *deps }

// SearchKnowledge answers 501 until its area lands.
func (a *KnowledgeAPI) SearchKnowledge(ctx context.Context, request api.SearchKnowledgeRequestObject) (api.SearchKnowledgeResponseObject, error) {
	return nil, errNotImplemented
}

// ListKnowledgeDocuments answers 501 until its area lands.
func (a *KnowledgeAPI) ListKnowledgeDocuments(ctx context.Context, request api.ListKnowledgeDocumentsRequestObject) (api.ListKnowledgeDocumentsResponseObject, error) {
	return nil, errNotImplemented
}

// CreateKnowledgeDocument answers 501 until its area lands.
func (a *KnowledgeAPI) CreateKnowledgeDocument(ctx context.Context, request api.CreateKnowledgeDocumentRequestObject) (api.CreateKnowledgeDocumentResponseObject, error) {
	return nil, errNotImplemented
}

// DeleteKnowledgeDocument answers 501 until its area lands.
func (a *KnowledgeAPI) DeleteKnowledgeDocument(ctx context.Context, request api.DeleteKnowledgeDocumentRequestObject) (api.DeleteKnowledgeDocumentResponseObject, error) {
	return nil, errNotImplemented
}

// RagQuery answers 501 until its area lands.
func (a *KnowledgeAPI) RagQuery(ctx context.Context, request api.RagQueryRequestObject) (api.RagQueryResponseObject, error) {
	return nil, errNotImplemented
}
