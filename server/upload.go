package server

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/routers"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/labstack/gommon/bytes"

	"github.com/xentree/xentree-api/store"
)

// Uploads: POST /api/knowledge/documents takes a .txt or .md file as multipart/form-data. The
// body limit of that route (uploadBodyLimit, larger than the default so that a whole
// 1,000,000-byte document fits, in JSON escapes or multipart framing) is enforced before
// anything is read; the validator does not decode or buffer multipart bodies (streamedBody):
// the handler reads the parts from the stream and checks them itself.

// uploadBodyLimit caps the body of a document upload or creation, in bytes: twice the largest
// document (JSON escapes) and 64 KiB of framing, 2,112 KiB.
const uploadBodyLimit = 2<<20 + 64<<10

var (
	errUnsupportedMediaType = newError(http.StatusUnsupportedMediaType, "unsupported_media_type", "Unsupported content type")
	errUnsupportedFile      = newError(http.StatusUnsupportedMediaType, "unsupported_file_type", "Upload a .txt, .md or .markdown file of text (text/plain, text/markdown or application/octet-stream)")
)

// isUpload reports whether the request goes to the route that takes uploads.
func isUpload(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Path == "/api/knowledge/documents"
}

// bodyLimits caps request bodies at limit (Echo size syntax), and document uploads at
// uploadBodyLimit (or limit, if larger).
func bodyLimits(limit string) echo.MiddlewareFunc {
	std := bodyLimit(limit)
	up := std
	if n, err := bytes.Parse(limit); err == nil && n < uploadBodyLimit {
		up = middleware.BodyLimitWithConfig(middleware.BodyLimitConfig{Limit: strconv.Itoa(uploadBodyLimit)})
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		s, u := std(next), up(next)
		return func(c echo.Context) error {
			if isUpload(c.Request()) {
				return u(c)
			}
			return s(c)
		}
	}
}

// streamedBody decides, for an operation documenting 415, whether the request's body is left
// to its handler: true for multipart/form-data where the operation accepts it (after checking
// that it names a boundary); 415 for a content type the operation does not take at all.
func streamedBody(route *routers.Route, req *http.Request) (bool, error) {
	op := route.Operation
	if op.RequestBody == nil || op.RequestBody.Value == nil || op.Responses.Status(http.StatusUnsupportedMediaType) == nil {
		return false, nil
	}
	ct := req.Header.Get(echo.HeaderContentType)
	if ct == "" {
		return false, nil // no body: the validator says it is required
	}
	media, params, err := mime.ParseMediaType(ct)
	if err != nil || op.RequestBody.Value.Content.Get(media) == nil {
		return false, errUnsupportedMediaType
	}
	if media != "multipart/form-data" {
		return false, nil
	}
	if params["boundary"] == "" {
		return false, &APIError{Status: http.StatusBadRequest, Code: "validation_error", Message: "The request does not match the API schema",
			Fields: []fieldError{{Location: "header", Field: "Content-Type", Message: "multipart/form-data needs a boundary"}}}
	}
	return true, nil
}

// uploadTypes are the part content types a document file may be sent as (curl and browsers
// send application/octet-stream for .md files).
var uploadTypes = []string{"text/plain", "text/markdown", "text/x-markdown", "application/octet-stream"}

// maxFieldBytes bounds the text fields of an upload (title, organization_id).
const maxFieldBytes = 4 << 10

// readUpload reads the parts of a document upload from the stream: file (required), title and
// organization_id. The file is read up to maxDocumentBytes+1 bytes, never more.
func readUpload(mr *multipart.Reader) (newDocument, error) {
	var nd newDocument
	seen := map[string]bool{}
	var file *string
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nd, uploadErr(err)
		}
		name := part.FormName()
		if seen[name] {
			return nd, uploadField(name, "appears more than once")
		}
		seen[name] = true
		switch name {
		case "file":
			ext := strings.ToLower(path.Ext(part.FileName()))
			if ext != ".txt" && ext != ".md" && ext != ".markdown" {
				return nd, errUnsupportedFile
			}
			if ct := part.Header.Get(echo.HeaderContentType); ct != "" {
				media, _, err := mime.ParseMediaType(ct)
				if err != nil || !slices.Contains(uploadTypes, media) {
					return nd, errUnsupportedFile
				}
			}
			b, err := io.ReadAll(io.LimitReader(part, maxDocumentBytes+1))
			if err != nil {
				return nd, uploadErr(err)
			}
			if len(b) > maxDocumentBytes {
				return nd, errDocumentTooLarge
			}
			s := string(b)
			file = &s
			nd.contentType = store.ContentMarkdown
			if ext == ".txt" {
				nd.contentType = store.ContentPlain
			}
			if nd.title == "" {
				nd.title = strings.TrimSuffix(path.Base(part.FileName()), path.Ext(part.FileName()))
			}
		case "title", "organization_id":
			b, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
			if err != nil {
				return nd, uploadErr(err)
			}
			v := string(b)
			if len(b) > maxFieldBytes || badText(v) {
				return nd, uploadField(name, "must be valid UTF-8 text of at most 200 characters")
			}
			if name == "organization_id" {
				id, err := uuid.Parse(v)
				if err != nil {
					return nd, uploadField(name, "must be a UUID")
				}
				nd.orgID = &id
				continue
			}
			if n := len([]rune(v)); n < 1 || n > 200 {
				return nd, uploadField(name, "must be 1 to 200 characters")
			}
			nd.title = v
		default:
			return nd, uploadField(name, "is not a field of this upload (file, title, organization_id)")
		}
	}
	if file == nil {
		return nd, uploadField("file", "is required")
	}
	nd.content = *file
	if !seen["title"] {
		nd.title = cleanText(nd.title, 200)
	}
	return nd, nil
}

func uploadField(field, msg string) *APIError {
	return &APIError{Status: http.StatusBadRequest, Code: "validation_error", Message: "The upload does not match the API schema",
		Fields: []fieldError{{Location: "body", Field: field, Message: msg}}}
}

// uploadErr is a failure to read the multipart stream: over the body limit (413), or
// malformed or cut short (400).
func uploadErr(err error) error {
	var he *echo.HTTPError
	if errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge {
		return errDocumentTooLarge
	}
	return &APIError{Status: http.StatusBadRequest, Code: "validation_error", Message: "The multipart body could not be read", Err: err}
}
