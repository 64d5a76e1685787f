// Command baseline-list is the baseline the member list is held to: Echo, HS256 JWT
// verification, and one GORM list of 30 users (opened as the server opens its database),
// answered as a JSON array.
package main

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/xentree/xentree-api/bench/internal/baseline"
	"github.com/xentree/xentree-api/store"
)

// Rows is how many rows one request lists.
const Rows = 30

type row struct {
	ID        string    `json:"id"`
	Username  string    `json:"username"`
	FullName  *string   `json:"full_name"`
	Role      string    `json:"role"`
	CreatedAt time.Time `json:"created_at"`
}

func main() {
	f := baseline.ParseFlags()
	st, db := baseline.OpenDB(f.DB)
	defer st.Close()
	e := baseline.New()
	e.GET("/list", func(c echo.Context) error {
		var us []store.User
		if err := db.WithContext(c.Request().Context()).Order("id").Limit(Rows).Find(&us).Error; err != nil {
			return c.JSON(http.StatusInternalServerError, map[string]string{"error": err.Error()})
		}
		out := make([]row, len(us))
		for i, u := range us {
			out[i] = row{ID: u.ID, Username: u.Username, FullName: u.FullName, Role: u.Role, CreatedAt: u.CreatedAt}
		}
		return c.JSON(http.StatusOK, out)
	}, baseline.Auth())
	baseline.Serve(e, f.Addr)
}
