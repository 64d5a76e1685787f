package main

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// crashWrites is how many writes are in flight when TestCrashDurability kills the server, and
// crashAfter how many of them must have been answered 2xx by then.
const crashWrites, crashAfter = 1000, 200

// TestCrashDurability: kill -9 of the server while 1,000 concurrent writes are in flight
// (registrations, XP-paying task submissions, transcripts, chat messages in conversations),
// on SQLite and on PostgreSQL: after a restart on the same database every write that was
// answered 2xx is there (each by its id), and the restarted server serves them.
func TestCrashDurability(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			dbURL := filepath.Join(t.TempDir(), "data", "xentree.db")
			if kind == "postgres" {
				dbURL = sharedPostgres(t)
			}
			crashDurability(t, dbURL)
		})
	}
}

func crashDurability(t *testing.T, dbURL string) {
	env := map[string]string{"XENTREE_DATABASE_URL": dbURL, "XENTREE_JWT_SECRET": procSecret}
	began := time.Now()
	p := startServer(t, env)
	t.Logf("%s: started", time.Since(began).Round(time.Millisecond))
	ctx := context.Background()
	users := make([]*account, 10)
	for i := range users {
		users[i] = register(t, p.base, fmt.Sprintf("crash_u%d", i))
	}
	convs := make([]string, 30)
	for i := range convs {
		var c struct{ ID string }
		must(t, p.base, "POST", "/api/core/conversations", users[i%len(users)].Access, map[string]string{}, 201).decode(t, &c)
		convs[i] = c.ID
	}
	tasks := xelTasks(t, p.base, users[0].Access)

	// Each write records, when answered 2xx, the table and id it promises to be in.
	type promise struct{ table, id, user string }
	var mu sync.Mutex
	var promised []promise
	var answered, cut atomic.Int64
	var refused []reply
	keep := func(r reply, table, id, user string) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case r.Err != nil:
			cut.Add(1)
		case r.Status/100 != 2:
			refused = append(refused, r)
		default:
			answered.Add(1)
			promised = append(promised, promise{table, id, user})
		}
	}
	// chat is one message in one of the 30 conversations (offline tutor).
	chat := func(i int) func() {
		conv := convs[i%len(convs)]
		owner := users[(i%len(convs))%len(users)]
		return func() {
			r := call(ctx, p.base, "POST", "/api/core/chat", owner.Access, map[string]string{
				"message": fmt.Sprintf("What does 'actually' mean? (%d)", i), "conversation_id": conv})
			var v struct {
				MessageID string `json:"message_id"`
			}
			if r.Status == 200 {
				r.decode(t, &v)
			}
			keep(r, "conversation_messages", v.MessageID, "")
		}
	}
	writes := make([]func(), 0, crashWrites)
	for i := range crashWrites {
		u := users[(i/10)%len(users)]
		switch i % 10 {
		case 0: // 50 registrations (argon2id at full cost: the slow ones), 50 more chats
			if i%20 == 10 {
				writes = append(writes, chat(i))
				continue
			}
			writes = append(writes, func() {
				r := call(ctx, p.base, "POST", "/api/auth/register", "", map[string]string{
					"username": fmt.Sprintf("crash_r%d", i), "email": fmt.Sprintf("crash_r%d@example.com", i), "password": "correct-horse-battery"})
				var v struct{ ID string }
				if r.Status == 201 {
					r.decode(t, &v)
				}
				keep(r, "users", v.ID, "")
			})
		case 1, 2, 3: // 300 task submissions, first passes paying XP
			task := tasks[(i/100+i%10)%len(tasks)]
			writes = append(writes, func() {
				r := call(ctx, p.base, "POST", "/api/xel/submissions", u.Access, map[string]string{
					"module_id": task.ModuleID, "task_id": task.TaskID, "answer": task.Answer})
				var v struct {
					SubmissionID string `json:"submission_id"`
					XPAwarded    int    `json:"xp_awarded"`
				}
				if r.Status == 201 {
					r.decode(t, &v)
				}
				keep(r, "xel_submissions", v.SubmissionID, "")
				if v.XPAwarded > 0 {
					mu.Lock()
					promised = append(promised, promise{"xp_events", "", u.ID})
					mu.Unlock()
				}
			})
		case 4, 5, 6: // 300 transcripts
			writes = append(writes, func() {
				now := time.Now().UTC()
				r := call(ctx, p.base, "POST", "/api/live/transcripts", u.Access, map[string]any{
					"session_started_at": now.Add(-time.Minute), "session_ended_at": now,
					"transcripts": []map[string]any{{"role": "user", "text": fmt.Sprintf("crash transcript %d", i), "timestamp": now.Add(-30 * time.Second)}}})
				var v struct{ ID string }
				if r.Status == 201 {
					r.decode(t, &v)
				}
				keep(r, "live_transcripts", v.ID, "")
			})
		default: // 300 chat messages
			writes = append(writes, chat(i))
		}
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, w := range writes {
		wg.Go(func() { <-start; w() })
	}
	close(start)
	t.Logf("%s: writes started", time.Since(began).Round(time.Millisecond))
	for answered.Load() < crashAfter {
		if _, exited := p.waitExit(0); exited {
			t.Fatal("server exited on its own")
		}
		time.Sleep(time.Millisecond)
	}
	if err := p.cmd.Process.Kill(); err != nil { // SIGKILL: no drain, no checkpoint, no close
		t.Fatal(err)
	}
	wg.Wait()
	if len(refused) > 0 {
		t.Fatalf("%d writes refused before the kill, e.g. %s", len(refused), refused[0])
	}
	if cut.Load() == 0 {
		t.Fatal("every write finished before the kill: nothing was in flight")
	}

	t.Logf("%s: killed", time.Since(began).Round(time.Millisecond))
	q := startServer(t, env)
	t.Logf("%s: restarted", time.Since(began).Round(time.Millisecond))
	st := openStore(t, dbURL)
	paid := map[string]int64{}
	byTable := map[string][]string{}
	for _, pr := range promised {
		if pr.table == "xp_events" {
			paid[pr.user]++
			continue
		}
		if pr.id == "" {
			t.Fatalf("a 2xx answer without the id of its %s row", pr.table)
		}
		byTable[pr.table] = append(byTable[pr.table], pr.id)
	}
	for table, ids := range byTable {
		var n int64
		if err := st.DB(ctx).Table(table).Where("id IN ?", ids).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != int64(len(ids)) {
			t.Errorf("%s: %d of %d acknowledged rows survived the kill", table, n, len(ids))
		}
	}
	for user, want := range paid {
		var n int64
		st.DB(ctx).Table("xp_events").Where("user_id = ? AND source = ?", user, "xel_task").Count(&n)
		if n < want {
			t.Errorf("user %s: %d XP events, %d acknowledged", user, n, want)
		}
	}
	// The restarted server serves what was acknowledged.
	if ids := byTable["live_transcripts"]; len(ids) > 0 {
		found := false
		for _, u := range users {
			if call(ctx, q.base, "GET", "/api/live/transcripts/"+ids[0], u.Access, nil).Status == 200 {
				found = true
			}
		}
		if !found {
			t.Errorf("transcript %s not served after the restart", ids[0])
		}
	}
	must(t, q.base, "GET", "/api/auth/me", users[0].Access, nil, 200)
	t.Logf("killed with %d writes answered 2xx and %d cut off; every acknowledged row present after the restart (%d paid XP)",
		answered.Load(), cut.Load(), len(promised)-int(answered.Load()))
}
