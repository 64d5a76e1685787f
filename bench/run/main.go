// Command run is the driver of `make bench`: it seeds a realistic data set, starts bin/xentree
// as a separate process on PostgreSQL (a database it creates and drops) and on SQLite (a temp
// folder), drives bounded load over the hot routes with vegeta, measures the baselines under
// bench/ in the same run, and writes the table into docs/performance.md between its markers.
//
//	go run ./bench/run -bin bin -out docs/performance.md
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"log/slog"
	neturl "net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	vegeta "github.com/tsenart/vegeta/v12/lib"
	"golang.org/x/crypto/argon2"

	"github.com/xentree/xentree-api/server"
	"github.com/xentree/xentree-api/store"
)

// jwtSecret is the bench servers' and baselines' shared HMAC key.
const jwtSecret = "bench-secret-0123456789abcdefghijklmnopqrstuvwxyz"

// benchDatabase is the PostgreSQL database the run creates and drops.
const benchDatabase = "xentree_bench"

type options struct {
	bin, out, pg, jsonOut string
	dbs                   []string
	conns                 []int
	only                  *regexp.Regexp
	load                  Load
	plan                  Plan
}

func main() {
	log.SetFlags(log.Ltime)
	var o options
	defPG := os.Getenv("XENTREE_TEST_DATABASE_URL")
	if defPG == "" {
		defPG = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	dbs, conns, only := "postgres,sqlite", "8,64", ""
	flag.StringVar(&o.bin, "bin", "bin", "folder of xentree and the baseline binaries")
	flag.StringVar(&o.out, "out", "docs/performance.md", "document whose generated section is replaced (empty: print)")
	flag.StringVar(&o.jsonOut, "json", "bin/bench-results.json", "raw results (empty: none)")
	flag.StringVar(&o.pg, "pg", defPG, "PostgreSQL URL to administer from (the bench database is created beside it)")
	flag.StringVar(&dbs, "dbs", dbs, "databases to run on")
	flag.StringVar(&conns, "conns", conns, "connection counts")
	flag.StringVar(&only, "only", "", "regexp: run only the cases whose name matches")
	flag.DurationVar(&o.load.Duration, "duration", 5*time.Second, "measured time per case")
	flag.DurationVar(&o.load.Warmup, "warmup", 500*time.Millisecond, "warm-up per case")
	users := flag.Int("users", DefaultPlan().Users, "seeded users")
	flag.Parse()
	o.plan = DefaultPlan()
	o.plan.Users = *users
	o.dbs = strings.Split(dbs, ",")
	for _, c := range strings.Split(conns, ",") {
		n, err := strconv.Atoi(c)
		if err != nil {
			log.Fatalf("-conns: %v", err)
		}
		o.conns = append(o.conns, n)
	}
	o.only = regexp.MustCompile(only)
	if err := o.plan.Check(); err != nil {
		log.Fatal(err)
	}
	rep, err := runAll(context.Background(), o)
	if err != nil {
		log.Fatal(err)
	}
	section := rep.Markdown()
	if o.jsonOut != "" {
		b, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(o.jsonOut, b, 0o644); err != nil {
			log.Print(err)
		}
	}
	if o.out == "" {
		fmt.Print(section)
		return
	}
	doc, err := os.ReadFile(o.out)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(o.out, []byte(ReplaceSection(string(doc), section)), 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("wrote the generated section of %s", o.out)
}

func runAll(ctx context.Context, o options) (*Report, error) {
	rep := &Report{Start: time.Now(), Machine: machine(), LoadStart: loadavg(), Go: runtime.Version(), Load: o.load,
		ArgonParams: fmt.Sprintf("m = %d KiB, t = %d, p = %d", server.OWASPArgon.Memory, server.OWASPArgon.Time, server.OWASPArgon.Threads)}
	rep.Argon = append(rep.Argon, argonRate(3*time.Second))
	log.Printf("raw argon2id: %.1f hashes/s", rep.Argon[0])
	tmp, err := os.MkdirTemp("", "xentree-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	for _, db := range o.dbs {
		if err := runDB(ctx, o, db, tmp, rep); err != nil {
			return nil, fmt.Errorf("%s: %w", db, err)
		}
	}
	rep.Argon = append(rep.Argon, argonRate(3*time.Second))
	rep.End, rep.LoadEnd = time.Now(), loadavg()
	rep.Notes = append(rep.Notes, fmt.Sprintf("Data set per database: %d users (one argon2id hash shared), %d organizations of %d "+
		"members (half of them in a team), %d users with %d days of XP history (%d events each, daily and per-source rollups), "+
		"%d knowledge documents (5 sections each, half shared with an organization) and %d conversations of %d turns "+
		"for each of the %d active users, who have also passed the objective tasks of %d XEL modules and have a Live session open.",
		o.plan.Users, o.plan.Orgs, o.plan.MembersPerOrg+1, o.plan.XPUsers, o.plan.XPDays, o.plan.XPEvents(),
		o.plan.DocsPerActive, o.plan.Conversations, 2*o.plan.ChatsPerConv, o.plan.Active, o.plan.XELModules),
		"Server settings for the load (`bench/run`): login limits per account and per IP, the chat rate limit and the free "+
			"plan's Live quota raised to 1,000,000 (so every answer is the real work, never a 429); Live idle timeout 1 h, "+
			"access tokens 2 h; no AI provider (the offline tutor answers); JSON access log at info level to a file, as in production. "+
			"Everything else is the default, including the PostgreSQL pool (20 open, all kept idle) that the PK and list baselines open the same way (`store.OpenWith`).",
		"The server is restarted between the seeding and the load (and left idle for 3 s), so the seeding's memory is not in the "+
			"peaks; the routes then run one after another in that process, so a peak includes what the Go runtime still holds "+
			"from the start-up and the routes before (the RSS at the start of each window shows how much). "+
			"Login runs last, each beside a raw argon2id measurement of 2 s taken just before it (the ratio uses that one).",
		"Routes: login cycles through the "+fmt.Sprint(o.plan.Users-o.plan.Active)+" non-active accounts (each login a different user); /me, chat (stateless), searches, "+
			"XEL (resubmitting a passed task of the first module) and Live heartbeats cycle through the "+fmt.Sprint(o.plan.Active)+" active users; the member "+
			"list through the "+fmt.Sprint(o.plan.Orgs)+" organization admins; XP profile and pulse through the users with history.")
	return rep, nil
}

// runDB seeds one database, measures the server's routes and the baselines on it, and drops it.
func runDB(ctx context.Context, o options, db, tmp string, rep *Report) error {
	var url string
	var ch *churn
	switch db {
	case "postgres":
		admin, err := sql.Open("pgx", o.pg)
		if err != nil {
			return err
		}
		defer admin.Close()
		admin.SetMaxOpenConns(1)
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+benchDatabase+" WITH (FORCE)"); err != nil {
			return err
		}
		if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+benchDatabase); err != nil {
			return err
		}
		defer func() {
			if _, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+benchDatabase+" WITH (FORCE)"); err != nil {
				log.Printf("drop %s: %v", benchDatabase, err)
			}
		}()
		if err := admin.QueryRowContext(ctx, "SELECT 'PostgreSQL ' || current_setting('server_version')").Scan(&rep.Postgres); err != nil {
			return err
		}
		u, err := neturl.Parse(o.pg)
		if err != nil {
			return err
		}
		u.Path = "/" + benchDatabase
		url = u.String()
		ch = &churn{db: admin, datname: benchDatabase}
	case "sqlite":
		url = filepath.Join(tmp, "sqlite", "xentree.db")
	default:
		return fmt.Errorf("unknown database %q", db)
	}
	env := []string{"XENTREE_DATABASE_URL=" + url, "XENTREE_JWT_SECRET=" + jwtSecret, "XENTREE_LOG_FORMAT=json", "XENTREE_LOG_LEVEL=info",
		"XENTREE_LOGIN_ACCOUNT_LIMIT=1000000", "XENTREE_LOGIN_IP_LIMIT=1000000", "XENTREE_CHAT_RATE_LIMIT=1000000",
		"XENTREE_LIVE_QUOTA_FREE=1000000h", "XENTREE_LIVE_IDLE_TIMEOUT=1h", "XENTREE_ACCESS_TOKEN_TTL=2h"}
	xentree := filepath.Join(o.bin, "xentree")
	log.Printf("%s: migrating %s", db, url)
	if err := runCmd(ctx, xentree, []string{"migrate"}, env, filepath.Join(tmp, db+"-migrate.log")); err != nil {
		return err
	}
	st, err := store.Open(ctx, url, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	text := newTextGen(7)
	t0 := time.Now()
	seeded, err := seedBulk(ctx, st, o.plan, text, log.Printf)
	st.Close()
	if err != nil {
		return err
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	srv, err := start("xentree", xentree, nil, append(env, "XENTREE_ADDR="+addr), addr, "/readyz", filepath.Join(tmp, db+"-server.log"))
	if err != nil {
		return err
	}
	defer func() {
		if srv != nil {
			srv.Stop()
		}
	}()
	c := &apiClient{base: "http://" + addr}
	act, err := seedAPI(ctx, c, o.plan, seeded, text)
	if err != nil {
		return fmt.Errorf("seed through the API: %w (server log: %s)", err, tail(filepath.Join(tmp, db+"-server.log"), 5))
	}
	// A fresh process for the load: the seeding's logins (two 19 MiB hashes at a time) and
	// chats would otherwise stay in the peak RSS of the first runs.
	if err := srv.Stop(); err != nil {
		return err
	}
	if srv, err = start("xentree", xentree, nil, append(env, "XENTREE_ADDR="+addr), addr, "/readyz", filepath.Join(tmp, db+"-server.log")); err != nil {
		return err
	}
	time.Sleep(3 * time.Second) // let the runtime return the start-up's garbage (catalogue, library) before the first peak
	log.Printf("%s: seeded in %s", db, time.Since(t0).Round(time.Millisecond))
	for _, r := range routes(o.plan, c.base, seeded, act, text) {
		if !o.only.MatchString(r.name) {
			continue
		}
		for _, n := range o.conns {
			var raw float64
			if r.name == CaseLogin {
				raw = argonRate(2 * time.Second) // beside the login run, at the same machine load
			}
			res, err := o.load.run(ctx, db, r.name, r.rows, n, srv, r.target, ch)
			if err != nil {
				return fmt.Errorf("%s c%d: %w", r.name, n, err)
			}
			res.RawHashes = raw
			logResult(res)
			rep.Results = append(rep.Results, res)
		}
	}
	if err := srv.Stop(); err != nil {
		log.Print(err)
	}
	srv = nil
	for _, b := range baselines(act) {
		if !o.only.MatchString(b.name) {
			continue
		}
		addr, err := freeAddr()
		if err != nil {
			return err
		}
		p, err := start(b.name, filepath.Join(o.bin, b.bin), []string{"-addr", addr, "-db", url}, []string{"XENTREE_JWT_SECRET=" + jwtSecret},
			addr, "", filepath.Join(tmp, db+"-"+b.bin+".log"))
		if err != nil {
			return err
		}
		for _, n := range o.conns {
			res, err := o.load.run(ctx, db, b.name, b.rows, n, p, b.target("http://"+addr), ch)
			if err != nil {
				p.Stop()
				return fmt.Errorf("%s c%d: %w", b.name, n, err)
			}
			res.Baseline = true
			logResult(res)
			rep.Results = append(rep.Results, res)
		}
		if err := p.Stop(); err != nil {
			log.Print(err)
		}
	}
	rep.RSSResetWorks = true
	for _, r := range rep.Results {
		rep.RSSResetWorks = rep.RSSResetWorks && r.RSSReset
	}
	return nil
}

func logResult(r Result) {
	log.Printf("%-8s %-45s c%-3d %8.0f req/s  p50 %7.2f  p99 %7.1f  max %6.0f ms  cpu %6.0f µs/req  rss %5.1f MiB  pg+%d  %s",
		r.DB, r.Case, r.Conns, r.ReqPerS, r.P50, r.P99, r.Max, r.CPUus, float64(r.PeakRSS)/(1<<20), r.NewConns, r.Codes)
}

type baselineCase struct {
	name, bin string
	rows      int
	target    func(base string) vegeta.Targeter
}

// baselines are the bench/ programs; the PK and list baselines verify the server's own access
// tokens (same secret) and read the seeded users.
func baselines(act *active) []baselineCase {
	get := func(path string) func(string) vegeta.Targeter {
		return func(base string) vegeta.Targeter { return cycle(act.headers, "GET", base+path, nil) }
	}
	return []baselineCase{
		{CaseEcho, "baseline-echo", 0, func(base string) vegeta.Targeter { return cycle(nil, "GET", base+"/ping", nil) }},
		{CasePK, "baseline-pk", 0, get("/me")},
		{CaseList, "baseline-list", 30, get("/list")},
	}
}

// argonRate is how many argon2id hashes per second this machine computes at the server's
// parameters with one hash per core in flight (the server's hashing semaphore).
func argonRate(d time.Duration) float64 {
	p := server.OWASPArgon
	n := runtime.GOMAXPROCS(0)
	counts := make(chan int, n)
	start := time.Now()
	for range n {
		go func() {
			c := 0
			salt := []byte("0123456789abcdef")
			for time.Since(start) < d {
				argon2.IDKey([]byte(Password), salt, p.Time, p.Memory, p.Threads, 32)
				c++
			}
			counts <- c
		}()
	}
	total := 0
	for range n {
		total += <-counts
	}
	return float64(total) / time.Since(start).Seconds()
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], ", ")
}

func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err == nil {
			mem = fmt.Sprintf(", %.0f GiB", float64(kb)/(1<<20))
		}
	}
	return fmt.Sprintf("%d vCPU (%s)%s, %s/%s", runtime.NumCPU(), model, mem, runtime.GOOS, runtime.GOARCH)
}
