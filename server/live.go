package server

import (
	"context"

	api "github.com/xentree/xentree-api/gen"
)

// LiveAPI implements xentree Live: quota-bound live sessions and transcripts.
type LiveAPI struct{ *deps }

// GetLiveQuota answers 501 until its area lands.
func (a *LiveAPI) GetLiveQuota(ctx context.Context, request api.GetLiveQuotaRequestObject) (api.GetLiveQuotaResponseObject, error) {
	return nil, errNotImplemented
}

// StartLiveSession answers 501 until its area lands.
func (a *LiveAPI) StartLiveSession(ctx context.Context, request api.StartLiveSessionRequestObject) (api.StartLiveSessionResponseObject, error) {
	return nil, errNotImplemented
}

// HeartbeatLiveSession answers 501 until its area lands.
func (a *LiveAPI) HeartbeatLiveSession(ctx context.Context, request api.HeartbeatLiveSessionRequestObject) (api.HeartbeatLiveSessionResponseObject, error) {
	return nil, errNotImplemented
}

// EndLiveSession answers 501 until its area lands.
func (a *LiveAPI) EndLiveSession(ctx context.Context, request api.EndLiveSessionRequestObject) (api.EndLiveSessionResponseObject, error) {
	return nil, errNotImplemented
}

// UpdateLiveNickname answers 501 until its area lands.
func (a *LiveAPI) UpdateLiveNickname(ctx context.Context, request api.UpdateLiveNicknameRequestObject) (api.UpdateLiveNicknameResponseObject, error) {
	return nil, errNotImplemented
}

// ListLiveTranscripts answers 501 until its area lands.
func (a *LiveAPI) ListLiveTranscripts(ctx context.Context, request api.ListLiveTranscriptsRequestObject) (api.ListLiveTranscriptsResponseObject, error) {
	return nil, errNotImplemented
}

// SaveLiveTranscripts answers 501 until its area lands.
func (a *LiveAPI) SaveLiveTranscripts(ctx context.Context, request api.SaveLiveTranscriptsRequestObject) (api.SaveLiveTranscriptsResponseObject, error) {
	return nil, errNotImplemented
}

// GetLiveTranscript answers 501 until its area lands.
func (a *LiveAPI) GetLiveTranscript(ctx context.Context, request api.GetLiveTranscriptRequestObject) (api.GetLiveTranscriptResponseObject, error) {
	return nil, errNotImplemented
}
