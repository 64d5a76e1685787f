package main

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"slices"
	"sync"
	"testing"

	"go.yaml.in/yaml/v4"

	"github.com/xentree/xentree-api/content"
	"github.com/xentree/xentree-api/store"
)

// roundRobin spreads requests over the replicas in turn, as a load balancer does.
type roundRobin struct {
	mu    sync.Mutex
	bases []string
	next  int
}

func (rr *roundRobin) pick() string {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	b := rr.bases[rr.next%len(rr.bases)]
	rr.next++
	return b
}

// parallel runs n calls at once, each on the next replica, and returns their answers.
func (rr *roundRobin) parallel(n int, fn func(i int, base string) reply) []reply {
	out := make([]reply, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		base := rr.pick()
		wg.Go(func() {
			<-start
			out[i] = fn(i, base)
		})
	}
	close(start)
	wg.Wait()
	return out
}

// statuses counts answers by status (-1: transport error).
func statuses(rs []reply) map[int]int {
	m := map[int]int{}
	for _, r := range rs {
		if r.Err != nil {
			m[-1]++
		} else {
			m[r.Status]++
		}
	}
	return m
}

// xelTask is a multiple-choice task of the shipped catalogue with its right answer.
type xelTask struct{ ModuleID, TaskID, Answer string }

// xelTasks lists the multiple-choice tasks the server offers, answered from the catalogue files
// the binary embeds (the API never reveals an answer before a pass).
func xelTasks(t testing.TB, base, token string) []xelTask {
	t.Helper()
	answers := map[string]string{}
	files, _ := fs.Glob(content.XEL, "*.yaml")
	for _, f := range files {
		b, err := fs.ReadFile(content.XEL, f)
		if err != nil {
			t.Fatal(err)
		}
		var m struct {
			Tasks []struct{ Type, Prompt, Answer string }
		}
		if err := yaml.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, task := range m.Tasks {
			if task.Type == "multiple_choice" {
				answers[task.Prompt] = task.Answer
			}
		}
	}
	var mods []struct{ ID string }
	must(t, base, "GET", "/api/xel/modules?limit=100", token, nil, 200).decode(t, &mods)
	var out []xelTask
	for _, m := range mods {
		var d struct {
			Tasks []struct {
				ID, Type, Prompt string
				Options          []string
			}
		}
		must(t, base, "GET", "/api/xel/modules/"+m.ID, token, nil, 200).decode(t, &d)
		for _, task := range d.Tasks {
			// Prompts may repeat across modules: keep a task only if its answer is one of its options.
			if a, ok := answers[task.Prompt]; ok && task.Type == "multiple_choice" && slices.Contains(task.Options, a) {
				out = append(out, xelTask{m.ID, task.ID, a})
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no multiple-choice task matched the catalogue files")
	}
	return out
}

// TestReplicaProcesses: two server processes on one PostgreSQL schema, behind a round-robin
// client, behave as one server: a session made on one works on the other; parallel refreshes
// of one token across both leave exactly one winner; a login throttle counted on one binds the
// other; concurrent Live starts across both give one session; a task submitted in parallel
// across both pays XP once; the two admins of an organization stepping down at once through
// different processes leave one admin.
func TestReplicaProcesses(t *testing.T) {
	dbURL := sharedPostgres(t)
	env := map[string]string{"XENTREE_DATABASE_URL": dbURL, "XENTREE_JWT_SECRET": procSecret, "XENTREE_LOGIN_ACCOUNT_LIMIT": "3"}
	a := startServer(t, env)
	// b finds nothing to migrate, through a migration URL of its own (as behind PgBouncer).
	envB := maps.Clone(env)
	envB["XENTREE_MIGRATION_DATABASE_URL"] = dbURL
	b := startServer(t, envB)
	rr := &roundRobin{bases: []string{a.base, b.base}}
	st := openStore(t, dbURL)
	ctx := context.Background()

	// A session made on one replica works on the other; logout on one ends it on both.
	u := register(t, a.base, "rep_user")
	must(t, b.base, "GET", "/api/auth/me", u.Access, nil, 200)
	w := register(t, b.base, "rep_out")
	must(t, a.base, "POST", "/api/auth/logout", w.Access, nil, 204)
	must(t, b.base, "GET", "/api/auth/me", w.Access, nil, 401)

	t.Run("refresh rotation", func(t *testing.T) {
		rs := rr.parallel(20, func(_ int, base string) reply {
			return call(ctx, base, "POST", "/api/auth/refresh", "", map[string]string{"refresh_token": u.Refresh})
		})
		if n := statuses(rs); n[200] != 1 || n[200]+n[401] != 20 {
			t.Fatalf("20 parallel refreshes over two replicas: %v, want one 200 and 19 401", n)
		}
	})

	t.Run("login throttle", func(t *testing.T) {
		v := register(t, a.base, "rep_thr")
		for range 3 {
			must(t, a.base, "POST", "/api/auth/login", "", url.Values{"username": {v.Username}, "password": {"wrong-password"}}, 401)
		}
		// The account's bucket (3 on both) is full: on b even the right password is refused.
		must(t, b.base, "POST", "/api/auth/login", "", url.Values{"username": {v.Username}, "password": {v.Password}}, 401)
	})

	t.Run("live quota", func(t *testing.T) {
		v := register(t, b.base, "rep_live")
		rs := rr.parallel(20, func(_ int, base string) reply {
			return call(ctx, base, "POST", "/api/live/session/start", v.Access, map[string]string{"session_type": "voice"})
		})
		if n := statuses(rs); n[201] != 1 || n[409] != 19 {
			t.Fatalf("20 concurrent starts over two replicas: %v, want one 201 and 19 409", n)
		}
		var active int64
		st.DB(ctx).Model(&store.LiveSession{}).Where("user_id = ? AND ended_at IS NULL", v.ID).Count(&active)
		if active != 1 {
			t.Fatalf("%d active sessions", active)
		}
	})

	t.Run("XP once", func(t *testing.T) {
		v := register(t, a.base, "rep_xp")
		task := xelTasks(t, a.base, v.Access)[0]
		rs := rr.parallel(20, func(_ int, base string) reply {
			return call(ctx, base, "POST", "/api/xel/submissions", v.Access, map[string]string{
				"module_id": task.ModuleID, "task_id": task.TaskID, "answer": task.Answer})
		})
		paid := 0
		for _, r := range rs {
			if r.Status != 201 {
				t.Fatalf("submission: %s", r)
			}
			var res struct {
				Passed    bool
				XPAwarded int `json:"xp_awarded"`
			}
			r.decode(t, &res)
			if !res.Passed {
				t.Fatalf("the catalogue's answer did not pass: %s", r.Body)
			}
			if res.XPAwarded > 0 {
				paid++
			}
		}
		var events int64
		st.DB(ctx).Model(&store.XPEvent{}).Where("user_id = ? AND source = ?", v.ID, "xel_task").Count(&events)
		if paid != 1 || events != 1 {
			t.Fatalf("20 parallel passes over two replicas: %d paid, %d ledger events; want 1 and 1", paid, events)
		}
	})

	t.Run("last admin", func(t *testing.T) {
		x, y := register(t, a.base, "rep_ax"), register(t, b.base, "rep_ay")
		for round := range 5 { // a new organization each round, the same two admins
			var org struct{ ID string }
			must(t, a.base, "POST", "/api/organizations", x.Access, map[string]string{"name": fmt.Sprintf("Replica Org %d", round)}, 201).decode(t, &org)
			must(t, b.base, "POST", "/api/organizations/"+org.ID+"/members", x.Access, map[string]string{"username": y.Username, "role": "admin"}, 201)
			// Each step-down alone is allowed; at once, through different processes, one must fail.
			var demote, leave reply
			var wg sync.WaitGroup
			wg.Go(func() {
				demote = call(ctx, a.base, "PATCH", "/api/organizations/"+org.ID+"/members/"+x.ID, x.Access, map[string]string{"role": "member"})
			})
			wg.Go(func() {
				leave = call(ctx, b.base, "DELETE", "/api/organizations/"+org.ID+"/members/"+y.ID, y.Access, nil)
			})
			wg.Wait()
			ok := 0
			for _, r := range []reply{demote, leave} {
				switch {
				case r.Status == 200 || r.Status == 204:
					ok++
				case r.Status != 409 && r.Status != 403:
					t.Fatalf("round %d: step-down answered %s", round, r)
				}
			}
			var admins int64
			st.DB(ctx).Model(&store.Membership{}).Where("organization_id = ? AND role = ?", org.ID, store.OrgAdmin).Count(&admins)
			if ok != 1 || admins != 1 {
				t.Fatalf("round %d: %d step-downs succeeded (%s / %s), %d admins left; want 1 and 1", round, ok, demote, leave, admins)
			}
		}
	})
}

// TestMigrationURL: with XENTREE_MIGRATION_DATABASE_URL migrations (and their session-level
// lock) go there, never through the main URL (a PgBouncer in transaction mode).
func TestMigrationURL(t *testing.T) {
	main, direct := sharedPostgres(t), sharedPostgres(t)
	t.Setenv("XENTREE_DATABASE_URL", main)
	t.Setenv("XENTREE_MIGRATION_DATABASE_URL", direct)
	t.Setenv("XENTREE_JWT_SECRET", procSecret)
	if err := run(context.Background(), nil, quietLog(), []string{"migrate"}); err != nil {
		t.Fatal(err)
	}
	has := func(dbURL string) bool {
		var n int64
		openStore(t, dbURL).DB(context.Background()).Raw(
			"SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'users'").Scan(&n)
		return n == 1
	}
	if has(main) || !has(direct) {
		t.Fatalf("migrations went to the main URL (%v) or not to the migration URL (%v)", has(main), has(direct))
	}
}
