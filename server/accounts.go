package server

import (
	"context"

	api "github.com/xentree/xentree-api/gen"
)

// AccountsAPI implements accounts: registration, login, token refresh and logout, and the current user.
type AccountsAPI struct{ *deps }

// Register answers 501 until its area lands.
func (a *AccountsAPI) Register(ctx context.Context, request api.RegisterRequestObject) (api.RegisterResponseObject, error) {
	return nil, errNotImplemented
}

// Login answers 501 until its area lands.
func (a *AccountsAPI) Login(ctx context.Context, request api.LoginRequestObject) (api.LoginResponseObject, error) {
	return nil, errNotImplemented
}

// RefreshToken answers 501 until its area lands.
func (a *AccountsAPI) RefreshToken(ctx context.Context, request api.RefreshTokenRequestObject) (api.RefreshTokenResponseObject, error) {
	return nil, errNotImplemented
}

// Logout answers 501 until its area lands.
func (a *AccountsAPI) Logout(ctx context.Context, request api.LogoutRequestObject) (api.LogoutResponseObject, error) {
	return nil, errNotImplemented
}

// GetMe answers 501 until its area lands.
func (a *AccountsAPI) GetMe(ctx context.Context, request api.GetMeRequestObject) (api.GetMeResponseObject, error) {
	return nil, errNotImplemented
}

// UpdateMe answers 501 until its area lands.
func (a *AccountsAPI) UpdateMe(ctx context.Context, request api.UpdateMeRequestObject) (api.UpdateMeResponseObject, error) {
	return nil, errNotImplemented
}
