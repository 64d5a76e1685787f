package server

import (
	"context"

	api "github.com/xentree/xentree-api/gen"
)

// IntegrationsAPI implements integrations with third-party accounts.
type IntegrationsAPI struct{ *deps }

// ListIntegrations answers 501 until its area lands.
func (a *IntegrationsAPI) ListIntegrations(ctx context.Context, request api.ListIntegrationsRequestObject) (api.ListIntegrationsResponseObject, error) {
	return nil, errNotImplemented
}

// StartGoogleCalendarOAuth answers 501 until its area lands.
func (a *IntegrationsAPI) StartGoogleCalendarOAuth(ctx context.Context, request api.StartGoogleCalendarOAuthRequestObject) (api.StartGoogleCalendarOAuthResponseObject, error) {
	return nil, errNotImplemented
}

// GoogleCalendarOAuthCallback answers 501 until its area lands.
func (a *IntegrationsAPI) GoogleCalendarOAuthCallback(ctx context.Context, request api.GoogleCalendarOAuthCallbackRequestObject) (api.GoogleCalendarOAuthCallbackResponseObject, error) {
	return nil, errNotImplemented
}

// DisconnectGoogleCalendar answers 501 until its area lands.
func (a *IntegrationsAPI) DisconnectGoogleCalendar(ctx context.Context, request api.DisconnectGoogleCalendarRequestObject) (api.DisconnectGoogleCalendarResponseObject, error) {
	return nil, errNotImplemented
}
