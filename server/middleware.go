package server

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"

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
// credentials and secrets stay out of the log.
func accessLog(log *slog.Logger) echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogMethod: true, LogURIPath: true, LogLatency: true,
		LogRequestID: true, LogRemoteIP: true, LogResponseSize: true, HandleError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			log.LogAttrs(c.Request().Context(), slog.LevelInfo, "request",
				slog.String("method", v.Method), slog.String("path", v.URIPath),
				slog.Int("status", v.Status), slog.Duration("latency", v.Latency),
				slog.Int64("bytes", v.ResponseSize), slog.String("ip", v.RemoteIP),
				slog.String("request_id", v.RequestID))
			return nil
		},
	})
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
