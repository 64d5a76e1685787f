package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// pgCluster is a throwaway PostgreSQL cluster a test starts, stops and restarts itself (in a
// temp folder, on a free port), so it can take the database away without touching the shared
// server on 5432.
type pgCluster struct {
	t        testing.TB
	bin, dir string
	port     int
	asUser   []string // runuser prefix when the test runs as root (initdb and postgres refuse it)
	running  bool
}

// pgBinDir finds the PostgreSQL server binaries: XENTREE_TEST_PG_BIN, else the newest
// /usr/lib/postgresql/*/bin (Debian's layout).
func pgBinDir() string {
	if d := os.Getenv("XENTREE_TEST_PG_BIN"); d != "" {
		return d
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return vi < vj
	})
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i]
		}
	}
	return ""
}

// newPGCluster initdb's and starts a cluster. Without PostgreSQL binaries the test is skipped,
// or fails when XENTREE_TEST_REQUIRE_POSTGRES=1 (CI).
func newPGCluster(t testing.TB) *pgCluster {
	t.Helper()
	bin := pgBinDir()
	if bin == "" {
		if os.Getenv(envRequirePostgres) == "1" {
			t.Fatal("PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin: install postgresql or set XENTREE_TEST_PG_BIN")
		}
		noteSkip("PostgreSQL fault test (own cluster)", "install postgresql (initdb) or set XENTREE_TEST_PG_BIN")
		t.Skip("no initdb: install postgresql or set XENTREE_TEST_PG_BIN")
	}
	// Not t.TempDir: its parents are private to root, and the server runs as another user.
	dir, err := os.MkdirTemp("", "xentree-pg-")
	if err != nil {
		t.Fatal(err)
	}
	c := &pgCluster{t: t, bin: bin, dir: dir}
	t.Cleanup(func() {
		if c.running {
			_ = c.pgctl("stop", "-m", "immediate")
		}
		_ = os.RemoveAll(dir)
	})
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatal("running as root, and PostgreSQL refuses root: no postgres user to run it as (create one, or run the tests as another user)")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		c.asUser = []string{"runuser", "-u", "postgres", "--"}
	}
	addr := freeAddr(t)
	c.port, _ = strconv.Atoi(addr[strings.LastIndex(addr, ":")+1:])
	if out, err := c.run(filepath.Join(bin, "initdb"), "-D", c.data(), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	// A test cluster: no fsync, few connections (a leak shows), socket in its own folder.
	conf := fmt.Sprintf("port = %d\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\nfsync = off\nmax_connections = 40\n", c.port, dir)
	if err := appendFile(filepath.Join(c.data(), "postgresql.conf"), conf); err != nil {
		t.Fatal(err)
	}
	c.start()
	return c
}

func appendFile(path, s string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(s); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func (c *pgCluster) data() string { return filepath.Join(c.dir, "data") }

// URL is the cluster's postgres database.
func (c *pgCluster) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

func (c *pgCluster) run(name string, args ...string) (string, error) {
	argv := append(append(append([]string{}, c.asUser...), name), args...)
	out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
	return string(out), err
}

func (c *pgCluster) pgctl(args ...string) error {
	out, err := c.run(filepath.Join(c.bin, "pg_ctl"), append([]string{"-D", c.data(), "-w", "-t", "60"}, args...)...)
	if err != nil {
		return fmt.Errorf("pg_ctl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// start starts (or restarts) the cluster and waits until it accepts connections.
func (c *pgCluster) start() {
	c.t.Helper()
	if err := c.pgctl("-l", filepath.Join(c.dir, "server.log"), "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
		c.t.Fatalf("%v\n%s", err, log)
	}
	c.running = true
}

// stop stops the cluster the way an operator's restart or a failover does: fast shutdown,
// every session terminated.
func (c *pgCluster) stop() {
	c.t.Helper()
	if err := c.pgctl("stop", "-m", "fast"); err != nil {
		c.t.Fatal(err)
	}
	c.running = false
}
