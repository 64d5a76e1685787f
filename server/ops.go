package server

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/swaggest/swgui/v5emb"
	"sigs.k8s.io/yaml"

	xentree "github.com/xentree/xentree-api"
	"github.com/xentree/xentree-api/store"
)

// registerOps adds the non-API routes: health checks, the original spec and the explorer.
func registerOps(e *echo.Echo, st *store.Store) {
	e.GET("/healthz", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	})
	e.GET("/readyz", func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
		defer cancel()
		if err := st.Ping(ctx); err != nil {
			return &APIError{Status: http.StatusServiceUnavailable, Code: "not_ready", Message: "Database unreachable", Err: err}
		}
		return c.JSON(http.StatusOK, map[string]string{"status": "ready", "database": string(st.Dialect())})
	})
	e.GET("/openapi.yaml", func(c echo.Context) error {
		return c.Blob(http.StatusOK, "application/yaml", xentree.OpenAPISpec)
	})
	specJSON, err := yaml.YAMLToJSON(xentree.OpenAPISpec)
	e.GET("/openapi.json", func(c echo.Context) error {
		if err != nil {
			return err
		}
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, specJSON)
	})
	docs := echo.WrapHandler(v5emb.New("Xentree API", "/openapi.json", "/docs/"))
	e.GET("/docs", func(c echo.Context) error { return c.Redirect(http.StatusMovedPermanently, "/docs/") })
	e.GET("/docs/*", docs)
}
