// Command baseline-pk is the baseline `GET /api/auth/me` is held to: Echo, HS256 JWT
// verification of the server's access token, and one GORM primary-key read of the token's
// user (opened as the server opens its database), answered as JSON.
package main

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/xentree/xentree-api/bench/internal/baseline"
	"github.com/xentree/xentree-api/store"
)

type profile struct {
	ID        string    `json:"id"`
	Username  string    `json:"username"`
	Email     string    `json:"email"`
	FullName  *string   `json:"full_name"`
	Role      string    `json:"role"`
	Timezone  string    `json:"timezone"`
	Language  string    `json:"language"`
	Plan      string    `json:"plan"`
	CreatedAt time.Time `json:"created_at"`
}

func main() {
	f := baseline.ParseFlags()
	st, db := baseline.OpenDB(f.DB)
	defer st.Close()
	e := baseline.New()
	e.GET("/me", func(c echo.Context) error {
		var u store.User
		if err := db.WithContext(c.Request().Context()).Take(&u, "id = ?", c.Get("sub")).Error; err != nil {
			return c.JSON(http.StatusNotFound, map[string]string{"error": err.Error()})
		}
		return c.JSON(http.StatusOK, profile{ID: u.ID, Username: u.Username, Email: u.Email, FullName: u.FullName,
			Role: u.Role, Timezone: u.Timezone, Language: u.Language, Plan: u.Plan, CreatedAt: u.CreatedAt})
	}, baseline.Auth())
	baseline.Serve(e, f.Addr)
}
