package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/internal/ai"
	"github.com/xentree/xentree-api/internal/xel"
	"github.com/xentree/xentree-api/store"
)

// APIError is an error with its HTTP status and the Error body's fields. Handlers return it
// (or a store sentinel); HandleError is the one place that turns errors into responses.
type APIError struct {
	Status     int
	Code       string
	Message    string
	Fields     []api.FieldError
	RetryAfter int
	Scope      *scopeDetail
	// ActiveSessionID names the caller's active Live session (live_session_active).
	ActiveSessionID string
	Err             error
}

type scopeDetail struct {
	Required string
	Granted  []string
}

// Error renders the code, message and cause (for logs; clients see Body).
func (e *APIError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

// Unwrap exposes the cause to errors.Is and errors.As.
func (e *APIError) Unwrap() error { return e.Err }

// Body renders the documented Error body.
func (e *APIError) Body() api.Error {
	d := api.ErrorDetail{Error: e.Code, Message: e.Message}
	if len(e.Fields) > 0 {
		d.Errors = &e.Fields
	}
	if e.Scope != nil {
		d.RequiredScope = &e.Scope.Required
		granted := append([]string{}, e.Scope.Granted...)
		d.GrantedScopes = &granted
	}
	if e.ActiveSessionID != "" {
		id := uuidOf(e.ActiveSessionID)
		d.ActiveSessionId = &id
	}
	return api.Error{Detail: d}
}

func newError(status int, code, msg string) *APIError {
	return &APIError{Status: status, Code: code, Message: msg}
}

// Errors shared by several areas.
var (
	errNotAuthenticated = newError(http.StatusUnauthorized, "not_authenticated", "Missing or invalid credentials")
	errForbidden        = newError(http.StatusForbidden, "forbidden", "You are not allowed to do this")
)

func notFoundError(what string) *APIError {
	return newError(http.StatusNotFound, "not_found", what+" not found")
}

func unprocessable(code, msg string) *APIError {
	return newError(http.StatusUnprocessableEntity, code, msg)
}

// domainErrors are the store's specific outcomes and their answers, checked before the
// generic sentinels they wrap (ErrSlugTaken is also an ErrConflict, say).
var domainErrors = []struct {
	err error
	api *APIError
}{
	{store.ErrSlugTaken, newError(http.StatusConflict, "slug_taken", "Slug is already in use")},
	{store.ErrTeamNameTaken, newError(http.StatusConflict, "team_name_taken", "The organization already has a team with this name")},
	{store.ErrAlreadyMember, newError(http.StatusConflict, "already_member", "The user is already a member of the organization")},
	{store.ErrTokenInvalid, newError(http.StatusUnauthorized, "invalid_refresh_token", "Invalid or expired refresh token")},
	{store.ErrTokenReused, newError(http.StatusUnauthorized, "refresh_token_reused", "Refresh token was already used; the session has been revoked")},
	{store.ErrTokenSuperseded, newError(http.StatusUnauthorized, "refresh_token_superseded", "Refresh token was just rotated by a concurrent request; use the newest tokens")},
	{store.ErrCredentialsChanged, errBadCredentials},
	{xel.ErrModuleNotFound, notFoundError("XEL module")},
	{xel.ErrTaskNotFound, notFoundError("XEL task")},
	{xel.ErrTaskNotInModule, unprocessable("task_not_in_module", "The task belongs to another module")},
}

// toAPIError maps any error to the response it deserves.
func toAPIError(err error) *APIError {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae
	}
	for _, d := range domainErrors {
		if errors.Is(err, d.err) {
			return d.api
		}
	}
	if e := aiError(err); e != nil {
		return e
	}
	var se *xel.SubmissionError
	if errors.As(err, &se) {
		return unprocessable("invalid_submission", "The answer does not fit the task: "+se.Reason)
	}
	var he *echo.HTTPError
	switch {
	case errors.Is(err, store.ErrNotFound):
		return notFoundError("Resource")
	case errors.Is(err, store.ErrLastAdmin):
		return newError(http.StatusConflict, "last_admin", "An organization must keep at least one admin")
	case errors.Is(err, store.ErrConflict), errors.Is(err, gorm.ErrDuplicatedKey):
		return newError(http.StatusConflict, "conflict", "The request conflicts with existing data")
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		// A referenced row vanished under a concurrent delete.
		return newError(http.StatusConflict, "conflict", "A referenced resource was changed or removed concurrently")
	case isBadTextError(err):
		return newError(http.StatusBadRequest, "validation_error", "Text must be valid UTF-8 without NUL characters")
	case errors.Is(err, context.Canceled):
		return &APIError{Status: 499, Code: "request_canceled", Message: "The client closed the request", Err: err}
	case errors.Is(err, store.ErrTimeout):
		return &APIError{Status: http.StatusServiceUnavailable, Code: "database_timeout",
			Message: "The database did not answer in time; retry shortly", RetryAfter: 1, Err: err}
	case errors.Is(err, store.ErrUnavailable):
		return &APIError{Status: http.StatusServiceUnavailable, Code: "database_unavailable",
			Message: "The database cannot be reached; retry shortly", RetryAfter: 5, Err: err}
	case errors.As(err, &he):
		return fromHTTPError(he)
	}
	return &APIError{Status: http.StatusInternalServerError, Code: "internal_error", Message: "Internal server error", Err: err}
}

func fromHTTPError(he *echo.HTTPError) *APIError {
	msg := http.StatusText(he.Code)
	switch he.Code {
	case http.StatusNotFound:
		return newError(he.Code, "route_not_found", "No such route")
	case http.StatusMethodNotAllowed:
		return newError(he.Code, "method_not_allowed", "Method not allowed on this route")
	case http.StatusRequestEntityTooLarge:
		return newError(he.Code, "payload_too_large", "Request body too large")
	case http.StatusBadRequest:
		// Strict handlers bind bodies after validation; a failure here is still malformed input.
		return &APIError{Status: he.Code, Code: "validation_error", Message: "Malformed request", Err: he}
	case http.StatusUnsupportedMediaType:
		return newError(he.Code, "unsupported_media_type", "Unsupported content type")
	}
	if he.Code >= 500 {
		return &APIError{Status: http.StatusInternalServerError, Code: "internal_error", Message: "Internal server error", Err: he}
	}
	return &APIError{Status: he.Code, Code: "http_error", Message: msg, Err: he}
}

// HandleError is Echo's HTTPErrorHandler: every error of every route leaves through here.
// Only server faults (5xx) are logged, with the full error chain: a slow or unreachable
// database (503) as a warning, anything else as an error.
func HandleError(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		e := toAPIError(err)
		level := slog.LevelError
		if e.Status == http.StatusServiceUnavailable {
			level = slog.LevelWarn
		}
		if e.Status >= 500 {
			log.Log(c.Request().Context(), level, "request failed",
				"err", err, "method", c.Request().Method, "path", c.Path(),
				"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
		}
		if e.RetryAfter > 0 {
			c.Response().Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
		}
		status := e.Status
		if status == 499 { // nobody is listening; still answer something well-formed
			status = http.StatusBadRequest
		}
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(status)
			return
		}
		_ = c.JSON(status, e.Body())
	}
}

// isBadTextError is the backstop for text PostgreSQL refuses to store (invalid UTF-8 or NUL),
// should any slip past the validator: the client's fault, not a 500.
func isBadTextError(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "22021" || pe.Code == "22P05")
}

// aiError maps the AI provider layer's errors (nil for other errors). What is not
// configured is the caller's mistake (422); no candidate able to answer is 503 with the
// upstream's Retry-After (or a short default); a provider named explicitly that failed is 502,
// or 503 when it is rate limiting us. Messages name the provider and status only: upstream
// text never reaches clients.
func aiError(err error) *APIError {
	var pe *ai.Error
	hasPE := errors.As(err, &pe)
	switch {
	case errors.Is(err, context.Canceled): // the client went away: answered as such
		return nil
	case errors.Is(err, ai.ErrUnknownProvider):
		return &APIError{Status: http.StatusUnprocessableEntity, Code: "unknown_provider",
			Message: "The provider is not configured on this server (see GET /api/core/providers)", Err: err}
	case errors.Is(err, ai.ErrUnknownModel):
		return &APIError{Status: http.StatusUnprocessableEntity, Code: "unknown_model",
			Message: "The model is not offered by the provider on this server (see GET /api/core/providers)", Err: err}
	case errors.Is(err, ai.ErrAllFailed):
		return &APIError{Status: http.StatusServiceUnavailable, Code: "provider_unavailable",
			Message: "No AI provider could answer; retry shortly", RetryAfter: retryAfterOf(pe, 5), Err: err}
	case !hasPE:
		return nil
	case pe.Status == http.StatusTooManyRequests:
		return &APIError{Status: http.StatusServiceUnavailable, Code: "provider_unavailable",
			Message: fmt.Sprintf("The AI provider %s is rate limiting requests; retry shortly", pe.Provider), RetryAfter: retryAfterOf(pe, 5), Err: err}
	case errors.Is(pe, ai.ErrTimeout):
		return &APIError{Status: http.StatusBadGateway, Code: "provider_timeout",
			Message: fmt.Sprintf("The AI provider %s did not answer in time", pe.Provider), Err: err}
	case pe.Status != 0:
		return &APIError{Status: http.StatusBadGateway, Code: "provider_error",
			Message: fmt.Sprintf("The AI provider %s failed (upstream status %d)", pe.Provider, pe.Status), Err: err}
	}
	return &APIError{Status: http.StatusBadGateway, Code: "provider_error",
		Message: fmt.Sprintf("The AI provider %s could not be reached", pe.Provider), Err: err}
}

// retryAfterOf is e's Retry-After in whole seconds (rounded up), def when it has none.
func retryAfterOf(e *ai.Error, def int) int {
	if e == nil || e.RetryAfter <= 0 {
		return def
	}
	return int(math.Ceil(e.RetryAfter.Seconds()))
}
