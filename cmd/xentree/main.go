// Command xentree runs the Xentree API server.
//
//	xentree [serve]                      run the HTTP server (applies migrations first)
//	xentree migrate                      apply database migrations and exit
//	xentree admin grant-super-admin USER grant the platform super_admin role
//	xentree admin revoke-super-admin USER remove it
//
// Configuration comes from environment variables (see README.md), all checked before the
// database is opened. The first SIGINT or SIGTERM drains in-flight requests; a second one
// exits at once.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/xentree/xentree-api/server"
	"github.com/xentree/xentree-api/store"
)

// defaultShutdown bounds how long shutdown waits for in-flight requests unless
// XENTREE_SHUTDOWN_TIMEOUT says otherwise.
const defaultShutdown = 30 * time.Second

func main() {
	ctx, force := shutdownSignals()
	if err := run(ctx, force, nil, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "xentree:", err)
		os.Exit(1)
	}
}

// shutdownSignals returns a context that ends at the first SIGINT or SIGTERM (drain) and a
// channel closed at the second (stop waiting for in-flight requests).
func shutdownSignals() (context.Context, <-chan struct{}) {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithCancel(context.Background())
	force := make(chan struct{})
	go func() {
		<-sigs
		cancel()
		<-sigs
		close(force)
	}()
	return ctx, force
}

// run executes one command. ctx ending starts the drain; force closing ends it at once. A nil
// log is built from the settings.
func run(ctx context.Context, force <-chan struct{}, log *slog.Logger, args []string) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd = args[0]
	}
	switch cmd {
	case "serve", "migrate", "admin":
	case "-h", "--help", "help":
		fmt.Println("usage: xentree [serve | migrate | admin grant-super-admin|revoke-super-admin USERNAME]")
		return nil
	default:
		return fmt.Errorf("unknown command %q (want serve, migrate or admin)", cmd)
	}
	cfg, err := loadConfig(cmd, os.Getenv)
	if err != nil {
		return err
	}
	if log == nil {
		log = cfg.logger(os.Stderr)
	}
	if cmd == "serve" {
		log.Debug("memory limit", "bytes", setMemoryLimit(os.Getenv))
	}
	st, err := store.OpenWith(ctx, cfg.dbURL, log, cfg.db)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	switch cmd {
	case "migrate":
		log.Info("database is up to date")
		return nil
	case "admin":
		return admin(ctx, st, args[1:])
	}
	return serve(ctx, force, log, st, cfg)
}

func admin(ctx context.Context, st *store.Store, args []string) error {
	if len(args) != 2 {
		return errors.New("usage: xentree admin grant-super-admin|revoke-super-admin USERNAME")
	}
	role := map[string]string{"grant-super-admin": store.RoleSuperAdmin, "revoke-super-admin": store.RoleUser}[args[0]]
	if role == "" {
		return fmt.Errorf("unknown admin action %q", args[0])
	}
	if err := st.SetUserRole(ctx, args[1], role); err != nil {
		return fmt.Errorf("user %q: %w", args[1], err)
	}
	fmt.Printf("%s is now %s\n", args[1], role)
	return nil
}

func serve(ctx context.Context, force <-chan struct{}, log *slog.Logger, st *store.Store, cfg *config) error {
	if err := cfg.persistSecret(log); err != nil {
		return err
	}
	e, err := server.New(cfg.server, st, log)
	if err != nil {
		return err
	}
	if err := server.SyncXEL(ctx, cfg.server, st, log); err != nil {
		return fmt.Errorf("xel catalogue: %w", err)
	}
	if err := server.LoadLibrary(ctx, st, log); err != nil {
		return fmt.Errorf("study library: %w", err)
	}
	// Parsing the spec, the catalogue and the library leaves tens of MiB of garbage that the
	// runtime would hand back to the OS only slowly: return it before serving.
	debug.FreeOSMemory()
	srv := &http.Server{
		Handler:           e,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	l, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	if cfg.debugAddr != "" {
		dl, err := net.Listen("tcp", cfg.debugAddr)
		if err != nil {
			return fmt.Errorf("XENTREE_DEBUG_ADDR: %w", err)
		}
		defer dl.Close()
		go func() { _ = http.Serve(dl, debugMux()) }()
		log.Info("debug listener", "addr", dl.Addr().String())
	}
	log.Info("listening", "addr", l.Addr().String(), "database", string(st.Dialect()), "docs", "/docs")
	go server.NewMaintenance(cfg.server, st, log).Run(ctx, time.Minute)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests (signal again to exit at once)")
	dctx, cancel := context.WithTimeout(context.Background(), cfg.shutdown)
	defer cancel()
	forced := make(chan struct{})
	go func() {
		select {
		case <-force:
			close(forced)
			cancel()
		case <-dctx.Done():
		}
	}()
	if err := srv.Shutdown(dctx); err != nil {
		_ = srv.Close() // cut the requests still running
		select {
		case <-forced:
			return errors.New("second signal: exited without finishing in-flight requests")
		default:
			return fmt.Errorf("drain: %w", err)
		}
	}
	return nil
}

// debugMux serves the runtime profiles (goroutines, heap, CPU) of net/http/pprof, for an
// operator on a private address; never on the API listener.
func debugMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
