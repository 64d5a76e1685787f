package server

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/xentree/xentree-api/store"
)

var saneRequestID = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)

// requestID echoes a sane client X-Request-ID or makes one, on the request and the response.
func requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(echo.HeaderXRequestID)
		if !saneRequestID.MatchString(id) {
			id = store.NewID()
			c.Request().Header.Set(echo.HeaderXRequestID, id)
		}
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		return next(c)
	}
}

// recoverPanics turns a panic into a 500 (logged once, with its stack, by HandleError).
func recoverPanics(log *slog.Logger) echo.MiddlewareFunc {
	return middleware.RecoverWithConfig(middleware.RecoverConfig{
		DisableErrorHandler: true,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			return fmt.Errorf("panic: %w\n%s", err, stack)
		},
	})
}

// accessLog writes one structured line per request. It never logs headers or bodies, so
// credentials and secrets stay out of the log. Hand-written rather than Echo's RequestLogger
// (it runs on every request): the attributes go straight to slog from an array on the stack,
// and the client IP comes from the request metadata already computed, when there is some.
// A handler error is answered here (HTTPErrorHandler) so the line has the final status; it is
// still returned for the middleware above, as Echo's RequestLogger with HandleError does.
func accessLog(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err)
			}
			req := c.Request()
			ctx := req.Context()
			if !log.Enabled(ctx, slog.LevelInfo) {
				return err
			}
			res := c.Response()
			path := req.URL.Path
			if path == "" {
				path = "/"
			}
			ip := meta(ctx).ClientIP
			if ip == "" {
				ip = c.RealIP()
			}
			id := req.Header.Get(echo.HeaderXRequestID)
			if id == "" {
				id = res.Header().Get(echo.HeaderXRequestID)
			}
			attrs := [...]slog.Attr{
				slog.String("method", req.Method), slog.String("path", path),
				slog.Int("status", res.Status), slog.Duration("latency", time.Since(start)),
				slog.Int64("bytes", res.Size), slog.String("ip", ip),
				slog.String("request_id", id),
			}
			log.LogAttrs(ctx, slog.LevelInfo, "request", attrs[:]...)
			return err
		}
	}
}

// requestMetadata puts the client IP and user agent on the request context for handlers.
func requestMetadata(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		m := requestMeta{ClientIP: c.RealIP(), UserAgent: r.UserAgent(), Accept: strings.Join(r.Header.Values(echo.HeaderAccept), ",")}
		c.SetRequest(r.WithContext(context.WithValue(r.Context(), metaKey{}, m)))
		return next(c)
	}
}

// bodyLimit caps bodies before the validator reads them (it reads whole bodies).
func bodyLimit(limit string) echo.MiddlewareFunc {
	return middleware.BodyLimit(limit)
}

// securityHeaders hardens every response; API responses (tokens, keys) are never cached.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		if strings.HasPrefix(c.Request().URL.Path, "/api/") {
			h.Set("Cache-Control", "no-store")
		}
		return next(c)
	}
}

// cors answers preflights and marks responses for the configured browser origins.
func cors(origins []string) echo.MiddlewareFunc {
	return middleware.CORSWithConfig(middleware.CORSConfig{
		AllowOrigins:  origins,
		AllowMethods:  []string{"GET", "POST", "PUT", "PATCH", "DELETE"},
		AllowHeaders:  []string{"Authorization", "X-API-Key", "Content-Type", echo.HeaderXRequestID},
		ExposeHeaders: []string{echo.HeaderXRequestID, "Retry-After"},
		MaxAge:        600,
	})
}
