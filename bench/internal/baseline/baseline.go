// Package baseline is what the baseline programs of `make bench` share: the listener, the
// bearer check (HS256 JWT, as the server's access tokens) and the database opened exactly as
// the server opens it (store.OpenWith, so the same driver and pool settings).
package baseline

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/xentree/xentree-api/store"
)

// Flags are the command line of a baseline program.
type Flags struct {
	Addr string // listen address
	DB   string // database URL or SQLite path (XENTREE_DATABASE_URL)
}

// ParseFlags reads -addr and -db (default: $XENTREE_DATABASE_URL).
func ParseFlags() Flags {
	var f Flags
	flag.StringVar(&f.Addr, "addr", "127.0.0.1:8090", "listen address")
	flag.StringVar(&f.DB, "db", os.Getenv("XENTREE_DATABASE_URL"), "database URL or SQLite path")
	flag.Parse()
	return f
}

// OpenDB opens the database as the server does by default and returns its *gorm.DB.
func OpenDB(url string) (*store.Store, *gorm.DB) {
	st, err := store.OpenWith(context.Background(), url, slog.New(slog.DiscardHandler), store.DefaultOptions())
	if err != nil {
		fail(err)
	}
	return st, st.DB(context.Background())
}

// Claims are the claims the baseline reads from an access token.
type Claims struct {
	jwt.RegisteredClaims
	Sid string `json:"sid"`
}

// Auth verifies the bearer token (HS256 with $XENTREE_JWT_SECRET, expiry required) and puts
// its subject in the context under "sub".
func Auth() echo.MiddlewareFunc {
	secret := []byte(os.Getenv("XENTREE_JWT_SECRET"))
	if len(secret) == 0 {
		fail(errors.New("XENTREE_JWT_SECRET is required"))
	}
	parser := jwt.NewParser(jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithExpirationRequired())
	key := func(*jwt.Token) (any, error) { return secret, nil }
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			raw, ok := strings.CutPrefix(c.Request().Header.Get("Authorization"), "Bearer ")
			var cl Claims
			if !ok {
				return c.JSON(http.StatusUnauthorized, map[string]string{"error": "missing token"})
			}
			if _, err := parser.ParseWithClaims(raw, &cl, key); err != nil || cl.Subject == "" {
				return c.JSON(http.StatusUnauthorized, map[string]string{"error": "invalid token"})
			}
			c.Set("sub", cl.Subject)
			return next(c)
		}
	}
}

// New returns a bare Echo instance (no middleware, no banner).
func New() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	return e
}

// Serve serves e on addr until SIGTERM or SIGINT, then drains for up to 5 s.
func Serve(e *echo.Echo, addr string) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		fail(err)
	}
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		dctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(dctx)
	}()
	if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "baseline:", err)
	os.Exit(1)
}
