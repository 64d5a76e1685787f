// Command baseline-echo is the floor of `make bench`: a bare Echo handler answering a small
// JSON object, no middleware, no authentication, no database.
package main

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/xentree/xentree-api/bench/internal/baseline"
)

func main() {
	f := baseline.ParseFlags()
	e := baseline.New()
	e.GET("/ping", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok", "service": "baseline-echo"})
	})
	baseline.Serve(e, f.Addr)
}
