package server

import (
	"context"

	api "github.com/xentree/xentree-api/gen"
)

// ConversationsAPI implements conversations with AI tutors, learning sessions and content search.
type ConversationsAPI struct{ *deps }

// ListProviders answers 501 until its area lands.
func (a *ConversationsAPI) ListProviders(ctx context.Context, request api.ListProvidersRequestObject) (api.ListProvidersResponseObject, error) {
	return nil, errNotImplemented
}

// GenerateChat answers 501 until its area lands.
func (a *ConversationsAPI) GenerateChat(ctx context.Context, request api.GenerateChatRequestObject) (api.GenerateChatResponseObject, error) {
	return nil, errNotImplemented
}

// ListConversations answers 501 until its area lands.
func (a *ConversationsAPI) ListConversations(ctx context.Context, request api.ListConversationsRequestObject) (api.ListConversationsResponseObject, error) {
	return nil, errNotImplemented
}

// CreateConversation answers 501 until its area lands.
func (a *ConversationsAPI) CreateConversation(ctx context.Context, request api.CreateConversationRequestObject) (api.CreateConversationResponseObject, error) {
	return nil, errNotImplemented
}

// DeleteConversation answers 501 until its area lands.
func (a *ConversationsAPI) DeleteConversation(ctx context.Context, request api.DeleteConversationRequestObject) (api.DeleteConversationResponseObject, error) {
	return nil, errNotImplemented
}

// ListConversationMessages answers 501 until its area lands.
func (a *ConversationsAPI) ListConversationMessages(ctx context.Context, request api.ListConversationMessagesRequestObject) (api.ListConversationMessagesResponseObject, error) {
	return nil, errNotImplemented
}

// StartLearningSession answers 501 until its area lands.
func (a *ConversationsAPI) StartLearningSession(ctx context.Context, request api.StartLearningSessionRequestObject) (api.StartLearningSessionResponseObject, error) {
	return nil, errNotImplemented
}

// RecordLearningActivity answers 501 until its area lands.
func (a *ConversationsAPI) RecordLearningActivity(ctx context.Context, request api.RecordLearningActivityRequestObject) (api.RecordLearningActivityResponseObject, error) {
	return nil, errNotImplemented
}

// EndLearningSession answers 501 until its area lands.
func (a *ConversationsAPI) EndLearningSession(ctx context.Context, request api.EndLearningSessionRequestObject) (api.EndLearningSessionResponseObject, error) {
	return nil, errNotImplemented
}

// GetLearningSessionStatus answers 501 until its area lands.
func (a *ConversationsAPI) GetLearningSessionStatus(ctx context.Context, request api.GetLearningSessionStatusRequestObject) (api.GetLearningSessionStatusResponseObject, error) {
	return nil, errNotImplemented
}
