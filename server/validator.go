package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/labstack/echo/v4"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/internal/instant"
)

func init() {
	// kin-openapi validates no string formats unless told to; these are the ones the spec uses
	// on inputs (date and date-time are built in).
	openapi3.DefineStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC9562))
	openapi3.DefineStringFormatValidator("email", openapi3.NewCallbackValidator(validEmail))
	// Date-times and dates must also be instants every layer can hold (instant.Min to Max), so
	// no handler ever stores, queries or encodes one that fails later (year 10000 in UTC).
	dateTime, date := openapi3.SchemaStringFormats["date-time"], openapi3.SchemaStringFormats["date"]
	openapi3.DefineStringFormatValidator("date-time", openapi3.NewCallbackValidator(func(s string) error {
		return representable(dateTime, time.RFC3339Nano, s)
	}))
	openapi3.DefineStringFormatValidator("date", openapi3.NewCallbackValidator(func(s string) error {
		return representable(date, time.DateOnly, s)
	}))
}

// representable checks s with the standard format validator, then that it parses and lies
// within the instants the API holds.
func representable(base openapi3.StringFormatValidator, layout, s string) error {
	if err := base.Validate(s); err != nil {
		return err
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return errors.New("not a valid RFC 3339 value")
	}
	if !instant.Representable(t) {
		return errors.New("must lie between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z")
	}
	return nil
}

// validEmail accepts a bare RFC 5322 addr-spec: exactly what the generated models'
// openapi_types.Email accepts (net/mail) without rewriting, so validation and binding agree.
func validEmail(s string) error {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return errors.New("not an email address")
	}
	return nil
}

// LoadSpec parses and validates the OpenAPI document. Servers are dropped so routes match
// whatever host and port the server runs on.
func LoadSpec(data []byte) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	spec, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("load openapi.yaml: %w", err)
	}
	if err := spec.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("openapi.yaml is invalid: %w", err)
	}
	spec.Servers = nil
	return spec, nil
}

type fieldError = api.FieldError

// authResult carries the principal out of kin-openapi's AuthenticationFunc.
type authResult struct{ p *Principal }

type authResultKey struct{}

// validator is the OpenAPI request validator middleware: it routes the request through the
// spec, authenticates it per the operation's `security` (scopes included), and validates
// parameters and body. Failures become 401, 403 or 400 with field errors.
type validator struct {
	router routers.Router
	opts   openapi3filter.Options
}

func newValidator(spec *openapi3.T, auth *authenticator) (*validator, error) {
	r, err := gorillamux.NewRouter(spec)
	if err != nil {
		return nil, err
	}
	return &validator{router: r, opts: openapi3filter.Options{
		MultiError:         true,
		AuthenticationFunc: auth.authenticate,
	}}, nil
}

func (v *validator) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if !strings.HasPrefix(req.URL.Path, "/api/") {
			return next(c)
		}
		route, params, err := v.router.FindRoute(req)
		if err != nil {
			if errors.Is(err, routers.ErrMethodNotAllowed) {
				return echo.ErrMethodNotAllowed
			}
			return echo.ErrNotFound
		}
		// A multipart upload is left in the stream for its handler (upload.go).
		streamed, err := streamedBody(route, req)
		if err != nil {
			return err
		}
		if err := rejectNUL(req, !streamed); err != nil {
			return err
		}
		opts := &v.opts
		if streamed {
			o := v.opts
			o.ExcludeRequestBody = true
			opts = &o
		}
		res := &authResult{}
		ctx := context.WithValue(req.Context(), authResultKey{}, res)
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
		if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
			return validationFailure(err, req)
		}
		if res.p != nil {
			c.SetRequest(req.WithContext(withPrincipal(req.Context(), res.p)))
		}
		return next(c)
	}
}

// validationFailure turns kin-openapi's errors into one APIError. Authentication comes
// first: a request that is both unauthenticated and malformed gets 401/403.
func validationFailure(err error, req *http.Request) error {
	errs := []error{err}
	var me openapi3.MultiError
	if errors.As(err, &me) {
		errs = me
	}
	for _, e := range errs {
		var se *openapi3filter.SecurityRequirementsError
		if errors.As(e, &se) {
			return securityFailure(se, req)
		}
	}
	out := &APIError{Status: http.StatusBadRequest, Code: "validation_error", Message: "The request does not match the API schema", Err: err}
	for _, e := range errs {
		out.Fields = append(out.Fields, fieldErrors(e)...)
	}
	return out
}

func securityFailure(se *openapi3filter.SecurityRequirementsError, req *http.Request) error {
	var first *APIError
	for _, e := range se.Errors {
		var ae *APIError
		switch {
		case errors.As(e, &ae):
			if ae.Status == http.StatusForbidden {
				return ae
			}
			if first == nil {
				first = ae
			}
		case !errors.Is(e, errNoCredentials):
			// The credential could not be checked (database down): a 500, logged, never a 401
			// that would make clients throw away valid tokens.
			return fmt.Errorf("authenticate: %w", e)
		}
	}
	if first != nil {
		return first
	}
	if req.Header.Get("X-API-Key") != "" && req.Header.Get("Authorization") == "" {
		return newError(http.StatusUnauthorized, "not_authenticated", "This endpoint requires a bearer token; API keys are not accepted")
	}
	return errNotAuthenticated
}

func fieldErrors(err error) []fieldError {
	var re *openapi3filter.RequestError
	if !errors.As(err, &re) {
		return []fieldError{{Location: "body", Field: "", Message: err.Error()}}
	}
	if re.Parameter != nil {
		return []fieldError{{Location: fieldLocation(re.Parameter.In), Field: re.Parameter.Name, Message: reason(re)}}
	}
	var inner []error
	var me openapi3.MultiError
	if errors.As(re.Err, &me) {
		inner = me
	} else {
		inner = []error{re.Err}
	}
	var out []fieldError
	for _, e := range inner {
		var se *openapi3.SchemaError
		var pe *openapi3filter.ParseError
		switch {
		case errors.As(e, &se):
			out = append(out, fieldError{Location: "body", Field: strings.Join(se.JSONPointer(), "."), Message: se.Reason})
		case errors.As(e, &pe):
			out = append(out, fieldError{Location: "body", Field: "", Message: "body is not valid: " + pe.Reason})
		case e == nil:
			out = append(out, fieldError{Location: "body", Field: "", Message: reason(re)})
		default:
			out = append(out, fieldError{Location: "body", Field: "", Message: e.Error()})
		}
	}
	return out
}

func reason(re *openapi3filter.RequestError) string {
	if re.Err != nil {
		var se *openapi3.SchemaError
		if errors.As(re.Err, &se) {
			return se.Reason
		}
		if re.Reason != "" {
			return re.Reason + ": " + re.Err.Error()
		}
		return re.Err.Error()
	}
	return re.Reason
}

func fieldLocation(in string) api.FieldErrorLocation {
	switch in {
	case "query", "path", "header", "body":
		return api.FieldErrorLocation(in)
	}
	return "header"
}

// badText reports text no field of the API can hold and PostgreSQL cannot store: NUL
// characters or invalid UTF-8. (JSON bodies are decoded to valid UTF-8; paths, queries and
// forms are not.)
func badText(s string) bool { return strings.ContainsRune(s, 0) || !utf8.ValidString(s) }

// rejectNUL refuses NUL characters and invalid UTF-8 anywhere in the path, query or (with
// withBody) the body.
func rejectNUL(req *http.Request, withBody bool) error {
	bad := func(loc, field string) error {
		return &APIError{Status: http.StatusBadRequest, Code: "validation_error", Message: "The request does not match the API schema",
			Fields: []fieldError{{Location: fieldLocation(loc), Field: field, Message: "must be valid UTF-8 without NUL characters"}}}
	}
	if badText(req.URL.Path) {
		return bad("path", "")
	}
	for k, vs := range req.URL.Query() {
		for _, v := range vs {
			if badText(k) || badText(v) {
				return bad("query", k)
			}
		}
	}
	if !withBody || req.Body == nil || req.Body == http.NoBody {
		return nil
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return err // over the body limit: 413
		}
		// The client sent less than it announced, or went away: its fault, not a 500.
		return &APIError{Status: http.StatusBadRequest, Code: "validation_error", Message: "The request body could not be read", Err: err}
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	if bytes.IndexByte(body, 0) >= 0 {
		return bad("body", "")
	}
	switch {
	case bytes.Contains(body, []byte(`\u0000`)) && jsonHasNUL(body):
		return bad("body", "")
	case strings.HasPrefix(req.Header.Get("Content-Type"), "application/x-www-form-urlencoded"):
		if q, err := url.ParseQuery(string(body)); err == nil {
			for k, vs := range q {
				for _, v := range vs {
					if badText(k) || badText(v) {
						return bad("body", k)
					}
				}
			}
		}
	}
	return nil
}

// jsonHasNUL reports whether any decoded key or string value of a JSON document holds NUL.
func jsonHasNUL(body []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			return false // malformed JSON is the schema validator's to report
		}
		if s, ok := tok.(string); ok && strings.ContainsRune(s, 0) {
			return true
		}
	}
}
