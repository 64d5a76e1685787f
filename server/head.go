package server

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"
)

// headAsGet answers HEAD like GET without the body (RFC 9110, 9.3.2): the request is routed,
// authenticated and validated as the GET it stands for, then its status and headers are sent
// with the Content-Length of the body GET would have sent, and no body. A path without GET
// answers 405 as before.
func headAsGet(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req, res := c.Request(), c.Response()
		if req.Method != http.MethodHead {
			return next(c)
		}
		req.Method = http.MethodGet
		w := &headWriter{ResponseWriter: res.Writer, status: http.StatusOK}
		res.Writer = w
		if err := next(c); err != nil {
			c.Error(err)
		}
		req.Method, res.Writer = http.MethodHead, w.ResponseWriter
		w.finish()
		return nil
	}
}

// headWriter holds the status back and counts the body instead of sending it.
type headWriter struct {
	http.ResponseWriter
	status int
	size   int
	wrote  bool
}

func (w *headWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
}

func (w *headWriter) Write(b []byte) (int, error) {
	w.wrote = true
	w.size += len(b)
	return len(b), nil
}

// Flush is a no-op: the headers leave once the handler is done.
func (w *headWriter) Flush() {}

func (w *headWriter) finish() {
	if h := w.Header(); h.Get(echo.HeaderContentLength) == "" && w.size > 0 {
		h.Set(echo.HeaderContentLength, strconv.Itoa(w.size))
	}
	w.ResponseWriter.WriteHeader(w.status)
}
