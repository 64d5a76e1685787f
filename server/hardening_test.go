package server_test

// Regression tests for the defects of issue 7 (each fails on the code before its fix).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/server"
	"github.com/xentree/xentree-api/store"
)

// TestAPIKeyExpiryBounds (defect 1): an expiry no database can hold (year 10000 in UTC) or
// one past the 5-year maximum is refused before anything is written, so the creator and the
// organization's admins can always list (and revoke) keys. Date-times and dates of the areas
// to come are held to the same representable range by the validator.
func TestAPIKeyExpiryBounds(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("exp")
		admin := h.newUser("expadm")
		org := h.createOrg(u, "Expiry Org").Id.String()
		h.addMember(u, org, admin, "admin", "")
		create := func(exp string) resp {
			return h.raw("POST", "/api/api-keys", map[string]any{"name": "k", "organization_id": org,
				"scopes": []string{"xel:read"}, "expires_at": exp}, u.auth())
		}
		d := create("9999-12-31T23:59:59-14:00").expect(t, 400).errorBody(t)
		if d.Error != "validation_error" || d.Errors == nil || (*d.Errors)[0].Field != "expires_at" {
			t.Fatalf("year 10000: %+v", d)
		}
		create("0001-01-01T00:30:00+01:00").expect(t, 400) // year 0 in UTC
		now := h.store.Now()
		for _, exp := range []string{"9999-12-31T23:59:59Z", now.AddDate(5, 0, 1).Format(time.RFC3339)} {
			if d := create(exp).expect(t, 422).errorBody(t); d.Error != "invalid_expires_at" {
				t.Fatalf("%s: %+v", exp, d)
			}
		}
		if n := h.countRows("api_keys", "1 = 1"); n != 0 {
			t.Fatalf("%d keys written by refused requests", n)
		}
		create(now.AddDate(5, 0, 0).Add(-time.Minute).Format(time.RFC3339)).expect(t, 201)
		for _, who := range []*user{u, admin} {
			var keys []api.APIKeyResponse
			h.raw("GET", "/api/api-keys", nil, who.auth()).expect(t, 200).decode(t, &keys)
			if len(keys) != 1 {
				t.Fatalf("%s lists %d keys", who.Username, len(keys))
			}
		}
		// The same class of input elsewhere: a date no database holds is a 400, not a 5xx.
		h.raw("GET", "/api/xp/learning-time?start_date=0000-01-01", nil, u.auth()).expect(t, 400)
	})
}

// TestLearningTimeAtTheFirstDate: an end_date near 0001-01-01 (valid input) must not make
// the default start a date before it: PostgreSQL cannot hold year 0 (500) and the answer would
// hold dates the spec refuses. The default range is cut at the first date instead.
func TestLearningTimeAtTheFirstDate(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("firstdate")
		for q, want := range map[string][2]string{
			"end_date=0001-01-01":                       {"0001-01-01", "0001-01-01"},
			"end_date=0001-01-10":                       {"0001-01-01", "0001-01-10"},
			"start_date=0001-01-01&end_date=0001-01-03": {"0001-01-01", "0001-01-03"},
			"end_date=9999-12-31":                       {"9999-12-02", "9999-12-31"},
		} {
			var lt api.LearningTimeAnalyticsResponse
			h.raw("GET", "/api/xp/learning-time?"+q, nil, u.auth()).expect(t, 200).decode(t, &lt)
			if ds(lt.StartDate) != want[0] || ds(lt.EndDate) != want[1] || len(lt.Daily) != int(lt.EndDate.Sub(lt.StartDate.Time).Hours()/24)+1 {
				t.Errorf("%s: %s..%s, %d days", q, ds(lt.StartDate), ds(lt.EndDate), len(lt.Daily))
			}
		}
	})
}

// TestIPv6ClientsShareTheirPrefix (defect 2): per-IP limits count an IPv6 client by its /64,
// and every /64 of a /48 together up to four times the limit; an IPv4-mapped IPv6 address
// counts as its IPv4 address.
func TestIPv6ClientsShareTheirPrefix(t *testing.T) {
	limits := func(c *server.Config) { c.RegisterIPLimit, c.LoginIPLimit, c.LoginAccountLimit = 3, 5, 1000 }
	eachDB(t, func(t *testing.T, h *harness) {
		reg := func(i int) resp {
			return h.raw("POST", "/api/auth/register", map[string]any{"username": fmt.Sprintf("six_%d", i),
				"email": fmt.Sprintf("six_%d@example.com", i), "password": "correct-horse"})
		}
		for i := 1; i <= 3; i++ {
			h.remoteAddr = fmt.Sprintf("[2001:db8:1:2::%x]:4000", i)
			reg(i).expect(t, 201)
		}
		h.remoteAddr = "[2001:db8:1:2:ffff:ffff:ffff:9]:4000"
		reg(4).expect(t, 429)
		h.remoteAddr = "[2001:db8:1:3::1]:4000" // another /64
		reg(5).expect(t, 201)

		login := func(remote string) resp {
			h.remoteAddr = remote
			return h.raw("POST", "/api/auth/login", url.Values{"username": {"ghost"}, "password": {"wrong-pass"}})
		}
		for i := 1; i <= 5; i++ {
			login(fmt.Sprintf("[2001:db8:5:6::%x]:1", i)).expect(t, 401)
		}
		if r := login("[2001:db8:5:6:abcd::1]:1").expect(t, 429); r.Header.Get("Retry-After") == "" {
			t.Fatal("429 without Retry-After")
		}
		// Four /64s of one /48 use its whole allowance; a fifth is refused.
		for n := 0; n < 4; n++ {
			for i := 1; i <= 5; i++ {
				login(fmt.Sprintf("[2001:db8:7:%x::%x]:1", n, i)).expect(t, 401)
			}
		}
		login("[2001:db8:7:99::1]:1").expect(t, 429)
		login("[2001:db8:8::1]:1").expect(t, 401) // another /48
		// IPv4-mapped IPv6 is the IPv4 client.
		for i := 0; i < 5; i++ {
			login("198.51.100.50:1").expect(t, 401)
		}
		login("[::ffff:198.51.100.50]:2").expect(t, 429)
	}, limits)
}

// TestAccountBucketRevealsNothing (defect 4): once an account's bucket is exhausted, a login
// naming it by any identifier, with the right or a wrong password, answers exactly as a wrong
// password for an unknown name does, so the bucket cannot tell which email belongs to which
// username. The per-IP bucket still answers 429.
func TestAccountBucketRevealsNothing(t *testing.T) {
	limits := func(c *server.Config) { c.LoginAccountLimit, c.LoginIPLimit = 3, 11 }
	eachDB(t, func(t *testing.T, h *harness) {
		victim := h.newUser("victim")
		try := func(name, pw string) resp {
			return h.raw("POST", "/api/auth/login", url.Values{"username": {name}, "password": {pw}})
		}
		for i := 0; i < 3; i++ {
			try(victim.Username, "wrong-password").expect(t, 401)
		}
		ref := try("guess_nobody@example.com", "wrong-password").expect(t, 401)
		for name, r := range map[string]resp{
			"right email, wrong password":   try(victim.Email, "wrong-password"),
			"right email, right password":   try(victim.Email, victim.Password),
			"username, right password":      try(strings.ToUpper(victim.Username), victim.Password),
			"another unknown email":         try("guess_other@example.com", "wrong-password"),
			"unknown email, fourth attempt": try("guess_nobody@example.com", "wrong-password"),
		} {
			if r.Status != ref.Status || string(r.Body) != string(ref.Body) || r.Header.Get("Retry-After") != "" {
				t.Errorf("%s: %d %s %v, want %d %s", name, r.Status, r.Body, r.Header, ref.Status, ref.Body)
			}
		}
		// 10 attempts so far (and the one of newUser): the per-IP bucket says 429 itself.
		try("ghost_a", "x").expect(t, 401)
		if r := try("ghost_b", "x").expect(t, 429); r.Header.Get("Retry-After") == "" {
			t.Fatal("per-IP 429 without Retry-After")
		}
		// When the window closes the account works again.
		h.clock.Advance(16 * time.Minute)
		h.login(victim.Email, victim.Password)
	}, limits)
}

// TestAllowedIPsMappedPrefixes (defect 5): IPv4-mapped entries are stored as the IPv4
// prefixes they mean and match IPv4 clients; a mapped prefix shorter than the mapping is
// refused; a stored entry that cannot be parsed refuses the key (fail closed) and is logged.
func TestAllowedIPsMappedPrefixes(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("mapped")
		org := h.createOrg(u, "Mapped Org").Id.String()
		secret, k := h.newKey(u, org, []string{"organizations:read"},
			map[string]any{"allowed_ips": []string{"::ffff:10.0.0.0/104", "::ffff:192.0.2.77"}})
		if got := strings.Join(k.AllowedIps, ","); got != "10.0.0.0/8,192.0.2.77/32" {
			t.Fatalf("allowed_ips stored as %s", got)
		}
		use := func(remote string) resp {
			h.remoteAddr = remote
			return h.raw("GET", "/api/organizations", nil, apiKey(secret))
		}
		use("10.1.2.3:1").expect(t, 200)
		use("[::ffff:10.9.9.9]:1").expect(t, 200)
		use("192.0.2.77:1").expect(t, 200)
		use("11.0.0.1:1").expect(t, 401)
		r := h.raw("POST", "/api/api-keys", map[string]any{"name": "k", "organization_id": org,
			"scopes": []string{"xel:read"}, "allowed_ips": []string{"::ffff:0:0/80"}}, u.auth()).expect(t, 422)
		if r.errorBody(t).Error != "invalid_allowed_ips" {
			t.Fatalf("short mapped prefix: %s", r.Body)
		}
		// A corrupt stored list is never skipped: the key stops working and the fault is logged.
		if err := h.store.DB(context.Background()).Exec("UPDATE api_keys SET allowed_ips = ? WHERE id = ?",
			`["bogus","0.0.0.0/0"]`, k.Id.String()).Error; err != nil {
			t.Fatal(err)
		}
		use("10.1.2.3:1").expect(t, 401)
		if !strings.Contains(h.logs.String(), "unparseable allowed_ips entry") {
			t.Fatal("corrupt allowed_ips entry not logged")
		}
	})
}

// TestForwardedForForms: behind a trusted proxy, X-Forwarded-For entries in "[v6]:port",
// "v4:port" or zoned form name their client; an entry that names nobody is refused instead of
// putting every client of the proxy in the proxy's bucket (a global lockout).
func TestForwardedForForms(t *testing.T) {
	opts := func(c *server.Config) {
		c.LoginAccountLimit, c.LoginIPLimit = 100, 2
		c.TrustedProxies = []string{"10.0.0.0/8"}
	}
	eachDB(t, func(t *testing.T, h *harness) {
		h.remoteAddr = "10.1.2.3:443"
		try := func(xff string) resp {
			return h.raw("POST", "/api/auth/login", url.Values{"username": {"ghost"}, "password": {"x"}}, header{"X-Forwarded-For", xff})
		}
		try("[2001:db8::1]:443").expect(t, 401)
		try("2001:db8::2").expect(t, 401) // the same /64
		try("[2001:db8::3]").expect(t, 429)
		try("198.51.100.1:5000").expect(t, 401) // another client: not the proxy's bucket
		try("198.51.100.1").expect(t, 401)
		try("198.51.100.1:6000").expect(t, 429)
		try("[fe80::1%eth0]:80").expect(t, 401)
		try("fe80::2%eth1").expect(t, 401)
		try("fe80::3").expect(t, 429)
		d := try("unknown").expect(t, 400).errorBody(t)
		if d.Error != "validation_error" || d.Errors == nil || (*d.Errors)[0].Field != "X-Forwarded-For" {
			t.Fatalf("unparseable client entry: %+v", d)
		}
		try("203.0.113.8").expect(t, 401) // nobody else was locked out
	}, opts)
}

// TestLockTimeoutIs503: a write waiting for a lock another transaction holds (a stuck
// FOR UPDATE on PostgreSQL, the write lock on SQLite) gives up after the lock timeout with 503
// database_timeout and Retry-After, logged as a warning; once the lock is free it goes through.
// On PostgreSQL a long statement is cut at the statement timeout.
func TestLockTimeoutIs503(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		u := h.newUser("lockto")
		org := h.createOrg(u, "Lock Org").Id.String()
		st, err := store.OpenWith(ctx, h.dbURL, h.log, store.Options{LockTimeout: 300 * time.Millisecond, StatementTimeout: 500 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		fast := newApp(t, h.kind, h.dbURL, st, h.clock, h.logs, h.log)
		fast.serverFaultsExpected = true

		holder := h.store.DB(ctx).Begin() // BEGIN IMMEDIATE on SQLite: the write lock
		if holder.Error != nil {
			t.Fatal(holder.Error)
		}
		t.Cleanup(func() { holder.Rollback() })
		if h.kind == "postgres" {
			if err := holder.Exec("SELECT id FROM organizations WHERE id = ? FOR UPDATE", org).Error; err != nil {
				t.Fatal(err)
			}
		}
		start := time.Now()
		r := fast.raw("PATCH", orgPath(org), map[string]any{"name": "Renamed"}, u.auth()).expect(t, 503)
		if d := r.errorBody(t); d.Error != "database_timeout" || r.Header.Get("Retry-After") == "" {
			t.Fatalf("lock timeout: %s %v", r.Body, r.Header)
		}
		if waited := time.Since(start); waited > 5*time.Second {
			t.Fatalf("waited %v for the lock", waited)
		}
		holder.Rollback()
		fast.raw("PATCH", orgPath(org), map[string]any{"name": "Renamed"}, u.auth()).expect(t, 200)
		if !strings.Contains(h.logs.String(), `"level":"WARN","msg":"request failed"`) {
			t.Fatal("the timeout was not logged as a warning")
		}
		if h.kind == "postgres" {
			err := st.DB(ctx).Exec("SELECT pg_sleep(2)").Error
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || pe.Code != "57014" {
				t.Fatalf("statement_timeout not applied: %v", err)
			}
		}
	})
}

// TestDatabaseUnreachableIs503: when PostgreSQL cannot be reached, requests get 503
// database_unavailable with Retry-After (clients keep their tokens and retry).
func TestDatabaseUnreachableIs503(t *testing.T) {
	h := newHarness(t, "postgres")
	u := h.newUser("unreach")
	proxy := newTCPProxy(t, h.dbURL)
	st, err := store.Open(context.Background(), proxy.url, h.log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	cut := newApp(t, h.kind, proxy.url, st, h.clock, h.logs, h.log)
	cut.raw("GET", "/api/auth/me", nil, u.auth()).expect(t, 200)
	proxy.stop()
	cut.serverFaultsExpected = true
	for i := 0; i < 3; i++ { // pooled connections die first, then dialling fails
		r := cut.raw("GET", "/api/auth/me", nil, u.auth()).expect(t, 503)
		if d := r.errorBody(t); d.Error != "database_unavailable" || r.Header.Get("Retry-After") == "" {
			t.Fatalf("attempt %d: %s %v", i, r.Body, r.Header)
		}
	}
}

// tcpProxy forwards connections to a database until stopped, then refuses and cuts them.
type tcpProxy struct {
	url   string
	l     net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func newTCPProxy(t *testing.T, dbURL string) *tcpProxy {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	target := u.Host
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{l: l}
	u.Host = l.Addr().String()
	p.url = u.String()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			d, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, d)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(d, c); d.Close() }()
			go func() { _, _ = io.Copy(c, d); c.Close() }()
		}
	}()
	t.Cleanup(p.stop)
	return p
}

func (p *tcpProxy) stop() {
	p.l.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// TestRefreshThrottle: rotations are limited per client IP (429 with Retry-After, the token
// left unused), and an unknown token is answered without a write: not counted, and on SQLite
// not even queued behind a writer holding the write lock.
func TestRefreshThrottle(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		u := h.newUser("refthr")
		tok := u.Refresh
		for i := 0; i < 2; i++ {
			var next api.TokenResponse
			h.raw("POST", "/api/auth/refresh", map[string]any{"refresh_token": tok}).expect(t, 200).decode(t, &next)
			tok = next.RefreshToken
		}
		r := h.raw("POST", "/api/auth/refresh", map[string]any{"refresh_token": tok}).expect(t, 429)
		if r.Header.Get("Retry-After") == "" {
			t.Fatal("429 without Retry-After")
		}
		h.remoteAddr = "198.51.100.44:1" // another client is not limited, and the token was not spent
		h.raw("POST", "/api/auth/refresh", map[string]any{"refresh_token": tok}).expect(t, 200)

		st, err := store.OpenWith(ctx, h.dbURL, h.log, store.Options{LockTimeout: 200 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		fast := newApp(t, h.kind, h.dbURL, st, h.clock, h.logs, h.log)
		rows := h.countRows("rate_limits", "1 = 1")
		holder := h.store.DB(ctx).Begin() // SQLite: holds the write lock
		t.Cleanup(func() { holder.Rollback() })
		for i := 0; i < 5; i++ {
			r := fast.raw("POST", "/api/auth/refresh", map[string]any{"refresh_token": fmt.Sprintf("unknown-%d", i)}).expect(t, 401)
			if r.errorBody(t).Error != "invalid_refresh_token" {
				t.Fatalf("unknown token: %s", r.Body)
			}
		}
		holder.Rollback()
		if after := h.countRows("rate_limits", "1 = 1"); after != rows {
			t.Fatalf("unknown tokens wrote rate-limit rows: %d → %d", rows, after)
		}
	}, func(c *server.Config) { c.RefreshIPLimit = 2 })
}

// TestAPIKeyListManyAdminOrgs: listing keys joins the caller's admin memberships instead of
// passing them as parameters, so administering 70,000 organizations (past PostgreSQL's 65,535
// and SQLite's 32,766 parameters) still lists.
func TestAPIKeyListManyAdminOrgs(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("manyorgs")
		org := h.createOrg(u, "Real Org").Id.String()
		_, k := h.newKey(u, org, []string{"xel:read"})
		db := h.store.DB(context.Background())
		seed := map[string][]string{
			"postgres": {
				`INSERT INTO organizations (id, name, slug, created_at, updated_at)
SELECT md5('org' || i)::uuid, 'Bulk ' || i, 'bulk-' || i, now(), now() FROM generate_series(1, 70000) i`,
				`INSERT INTO memberships (organization_id, user_id, role, joined_at)
SELECT md5('org' || i)::uuid, ?, 'admin', now() FROM generate_series(1, 70000) i`,
			},
			"sqlite": {
				`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 70000)
INSERT INTO organizations (id, name, slug, created_at, updated_at)
SELECT 'bulk-' || i, 'Bulk ' || i, 'bulk-' || i, datetime('now'), datetime('now') FROM n`,
				`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 70000)
INSERT INTO memberships (organization_id, user_id, role, joined_at)
SELECT 'bulk-' || i, ?, 'admin', datetime('now') FROM n`,
			},
		}[h.kind]
		if err := db.Exec(seed[0]).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Exec(seed[1], u.ID).Error; err != nil {
			t.Fatal(err)
		}
		var keys []api.APIKeyResponse
		h.raw("GET", "/api/api-keys", nil, u.auth()).expect(t, 200).decode(t, &keys)
		if len(keys) != 1 || keys[0].Id != k.Id {
			t.Fatalf("keys %+v", keys)
		}
	})
}

// TestLeavingRevokesKeys: a member removed, leaving or transferred out loses the API keys it
// created in that organization, in the same transaction, so they cannot spring back to life
// when the member is added again; other keys are untouched. A password change keeps keys.
func TestLeavingRevokesKeys(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		admin, removed, leaver, moved := h.newUser("rkadm"), h.newUser("rkrem"), h.newUser("rklea"), h.newUser("rkmov")
		org := h.createOrg(admin, "Revoke Org").Id.String()
		dest := h.createOrg(admin, "Revoke Dest").Id.String()
		keys := map[*user]string{}
		for _, u := range []*user{removed, leaver, moved} {
			h.addMember(admin, org, u, "member", "")
			keys[u], _ = h.newKey(u, org, []string{"organizations:read"})
		}
		adminKey, _ := h.newKey(admin, org, []string{"organizations:read"})
		use := func(k string) int { return h.raw("GET", "/api/organizations", nil, apiKey(k)).Status }
		for u, k := range keys {
			if use(k) != 200 {
				t.Fatalf("%s's key does not work to begin with", u.Username)
			}
		}
		h.raw("DELETE", orgPath(org, "/members/", removed.ID), nil, admin.auth()).expect(t, 204)
		h.raw("DELETE", orgPath(org, "/members/", leaver.ID), nil, leaver.auth()).expect(t, 204)
		h.raw("PUT", orgPath(org, "/members/", moved.ID), map[string]any{"organization_id": dest}, admin.auth()).expect(t, 200)
		h.addMember(admin, org, removed, "member", "")
		h.addMember(admin, org, leaver, "member", "")
		for u, k := range keys {
			if s := use(k); s != 401 {
				t.Errorf("%s's key answers %d after leaving (and coming back)", u.Username, s)
			}
		}
		if use(adminKey) != 200 {
			t.Fatal("keys of members who stayed were revoked")
		}
		if n := h.countRows("api_keys", "created_by IN (?, ?, ?)", removed.ID, leaver.ID, moved.ID); n != 0 {
			t.Fatalf("%d revoked keys left in the database", n)
		}
		// Decided: a password change ends other sessions but keeps API keys (integrations).
		h.raw("PATCH", "/api/auth/me", map[string]any{"password": "brand-new-pass-1", "current_password": admin.Password}, admin.auth()).expect(t, 200)
		if use(adminKey) != 200 {
			t.Fatal("a password change revoked the admin's key")
		}
	})
}

// TestEmailChangeNeedsCurrentPassword: a new email takes over the account like a new password,
// so it needs current_password too; resending the current email does not.
func TestEmailChangeNeedsCurrentPassword(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("mail")
		patch := func(body map[string]any) resp { return h.raw("PATCH", "/api/auth/me", body, u.auth()) }
		if d := patch(map[string]any{"email": "new_" + u.Email}).expect(t, 422).errorBody(t); d.Error != "current_password_required" {
			t.Fatalf("no current_password: %+v", d)
		}
		if d := patch(map[string]any{"email": "new_" + u.Email, "current_password": "wrong-one"}).expect(t, 403).errorBody(t); d.Error != "invalid_current_password" {
			t.Fatalf("wrong current_password: %+v", d)
		}
		patch(map[string]any{"email": u.Email, "timezone": "Europe/Paris"}).expect(t, 200) // unchanged email
		var p api.UserProfile
		patch(map[string]any{"email": "new_" + u.Email, "current_password": u.Password}).expect(t, 200).decode(t, &p)
		if string(p.Email) != "new_"+u.Email || p.Timezone != "Europe/Paris" {
			t.Fatalf("profile %+v", p)
		}
	})
}

// TestTruncatedBodyIs400: a body that ends before its announced length is the client's fault.
func TestTruncatedBodyIs400(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		req := httptest.NewRequest("POST", "/api/auth/register", io.MultiReader(strings.NewReader(`{"username":`), errReader{io.ErrUnexpectedEOF}))
		req.Header.Set("Content-Type", "application/json")
		res, _ := h.Do(req)
		if res.StatusCode != 400 {
			b, _ := io.ReadAll(res.Body)
			t.Fatalf("truncated body: %d %s", res.StatusCode, b)
		}
	})
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
