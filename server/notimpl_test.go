package server

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// TestNotImplementedIsNotAnError: a 501 (an area not built yet; every route is built now, so
// this goes to HandleError directly) is answered but left to the access log, while a 500 is
// logged as a failed request.
func TestNotImplementedIsNotAnError(t *testing.T) {
	for _, c := range []struct {
		err    error
		status int
		logged bool
	}{
		{errNotImplemented, 501, false},
		{errors.New("boom"), 500, true},
	} {
		var logs bytes.Buffer
		e := echo.New()
		rec := httptest.NewRecorder()
		ctx := e.NewContext(httptest.NewRequest("GET", "/api/x", nil), rec)
		HandleError(slog.New(slog.NewJSONHandler(&logs, nil)))(c.err, ctx)
		if rec.Code != c.status || strings.Contains(logs.String(), "request failed") != c.logged {
			t.Errorf("%v: %d, logged %q", c.err, rec.Code, logs.String())
		}
	}
}
