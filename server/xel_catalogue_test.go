package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/xentree/xentree-api/content"
	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/internal/xel"
	"github.com/xentree/xentree-api/server"
	"github.com/xentree/xentree-api/store"
)

// editedCatalogue is the shipped catalogue with a2-past-simple retitled and its task
// "did-you-see" removed, and the module c1-academic-collocations removed altogether.
func editedCatalogue(t testing.TB) *xel.Catalogue {
	t.Helper()
	files := fstest.MapFS{}
	err := fs.WalkDir(content.XEL, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path == "c1-academic-collocations.yaml" {
			return err
		}
		b, err := fs.ReadFile(content.XEL, path)
		if err != nil {
			return err
		}
		if path == "a2-past-simple.yaml" {
			s := strings.Replace(string(b), `title: "The past simple: regular and irregular verbs"`, `title: "The past simple (edited)"`, 1)
			start := strings.Index(s, "  - slug: did-you-see\n")
			end := start + 1 + strings.Index(s[start+1:], "\n  - slug: ")
			if start < 0 || end <= start {
				t.Fatal("a2-past-simple.yaml changed: update editedCatalogue")
			}
			b = []byte(s[:start] + s[end+1:])
		}
		files[path] = &fstest.MapFile{Data: b}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := xel.Load(files)
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// catalogueDump renders the mirror tables, for before/after comparisons.
func (h *harness) catalogueDump() string {
	h.t.Helper()
	var b strings.Builder
	for _, q := range []struct{ table, order string }{{"xel_modules", "id"}, {"xel_tasks", "id"}} {
		var rows []map[string]any
		if err := h.store.DB(context.Background()).Table(q.table).Order(q.order).Find(&rows).Error; err != nil {
			h.t.Fatal(err)
		}
		for _, r := range rows {
			j, _ := json.Marshal(r)
			fmt.Fprintf(&b, "%s %s\n", q.table, j)
		}
	}
	return b.String()
}

// TestXELCatalogueSync: the catalogue mirror is written once by replicas starting together, a
// reload with nothing changed writes nothing, edited content updates its rows, removed tasks
// and modules are retired (never deleted), and putting them back brings them back.
func TestXELCatalogueSync(t *testing.T) {
	cat := builtin(t)
	tasks := 0
	for _, m := range cat.Modules() {
		tasks += len(m.Tasks)
	}
	eachDB(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		// Four replicas start together on the fresh database.
		stores := []*store.Store{h.store}
		for range 3 {
			st, err := store.Open(ctx, h.dbURL, h.log)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = st.Close() })
			st.UseClock(h.clock)
			stores = append(stores, st)
		}
		reps := make([]store.XELSyncReport, len(stores))
		errs := make([]error, len(stores))
		var wg sync.WaitGroup
		for i, st := range stores {
			wg.Add(1)
			go func() {
				defer wg.Done()
				reps[i], errs[i] = st.SyncXELCatalogue(ctx, cat)
			}()
		}
		wg.Wait()
		writers := 0
		for i, err := range errs {
			if err != nil {
				t.Fatalf("replica %d: %v", i, err)
			}
			if reps[i].Changed() {
				writers++
				if reps[i].ModulesWritten != len(cat.Modules()) || reps[i].TasksWritten != tasks {
					t.Fatalf("first sync: %+v", reps[i])
				}
			}
		}
		if writers != 1 {
			t.Fatalf("%d replicas wrote the catalogue: %+v", writers, reps)
		}
		if n := h.countRows("xel_modules", "retired_at IS NULL"); n != int64(len(cat.Modules())) {
			t.Fatalf("%d modules stored", n)
		}
		if n := h.countRows("xel_tasks", "retired_at IS NULL"); n != int64(tasks) {
			t.Fatalf("%d tasks stored", n)
		}

		// A restart with nothing changed writes nothing.
		before := h.catalogueDump()
		h.clock.Advance(time.Hour)
		if err := server.SyncXEL(ctx, server.Config{}, h.store, h.log); err != nil {
			t.Fatal(err)
		}
		rep, err := h.store.SyncXELCatalogue(ctx, cat)
		if err != nil || rep.Changed() {
			t.Fatalf("reload: %+v %v", rep, err)
		}
		if after := h.catalogueDump(); after != before {
			t.Fatal("a reload with nothing changed wrote to the mirror")
		}

		// Edited content: one module rewritten, a task retired, a module retired.
		edited := editedCatalogue(t)
		h.clock.Advance(time.Hour)
		rep, err = h.store.SyncXELCatalogue(ctx, edited)
		if err != nil {
			t.Fatal(err)
		}
		coll, _ := cat.ModuleBySlug("c1-academic-collocations")
		if rep.ModulesWritten != 1 || rep.TasksWritten != 8 || rep.ModulesRetired != 1 || rep.TasksRetired != 1+len(coll.Tasks) {
			t.Fatalf("edited sync: %+v", rep)
		}
		ps, removed := xelTask(t, "a2-past-simple", "did-you-see")
		var row store.XELModule
		if err := h.store.DB(ctx).Where("id = ?", ps.ID.String()).Take(&row).Error; err != nil || row.Title != "The past simple (edited)" || row.TaskCount != 8 {
			t.Fatalf("edited module row %+v %v", row, err)
		}
		if n := h.countRows("xel_tasks", "id = ? AND retired_at IS NOT NULL", removed.ID.String()); n != 1 {
			t.Fatal("removed task not retired")
		}
		if n := h.countRows("xel_tasks", "module_id = ? AND retired_at IS NOT NULL", coll.ID.String()); n != int64(len(coll.Tasks)) {
			t.Fatalf("%d tasks of the removed module retired", n)
		}
		if n := h.countRows("xel_modules", "updated_at > ? AND id NOT IN ?", h.clock.Now().Add(-time.Minute),
			[]string{ps.ID.String(), coll.ID.String()}); n != 0 {
			t.Fatalf("%d unchanged modules rewritten", n)
		}

		// Back to the shipped files: both return.
		rep, err = h.store.SyncXELCatalogue(ctx, cat)
		if err != nil || rep.ModulesWritten != 2 || rep.TasksRetired != 0 || rep.ModulesRetired != 0 {
			t.Fatalf("restored: %+v %v", rep, err)
		}
		if n := h.countRows("xel_tasks", "retired_at IS NOT NULL"); n != 0 {
			t.Fatalf("%d tasks still retired", n)
		}
	})
}

// TestXELRetiredTaskKeepsHistory: after a release removes a task, it is gone from the module
// (404 to submit), the module's progress counts the current tasks, and the learner's history
// of it stays: records, submissions and the dashboard's recent activity.
func TestXELRetiredTaskKeepsHistory(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("history")
		m, removed := xelTask(t, "a2-past-simple", "did-you-see")
		_, kept := xelTask(t, "a2-past-simple", "went")
		h.answer(u, m, removed, removed.ExpectedAnswer())
		h.answer(u, m, kept, kept.ExpectedAnswer())
		if d := h.xelModule(u, m.ID); d.Progress.CompletedTasks != 2 || d.TaskCount != 9 {
			t.Fatalf("before: %+v", d.Progress)
		}

		edited := editedCatalogue(t)
		h.restart(func(c *server.Config) { c.XELCatalogue = edited })
		d := h.xelModule(u, m.ID)
		if d.TaskCount != 8 || d.Title != "The past simple (edited)" || d.Progress.CompletedTasks != 1 {
			t.Fatalf("after: %d tasks, %q, %+v", d.TaskCount, d.Title, d.Progress)
		}
		for _, task := range d.Tasks {
			if task.Id == removed.ID {
				t.Fatal("retired task still listed")
			}
		}
		h.submit(u, m, removed, map[string]any{"answer": removed.ExpectedAnswer()}).expect(t, 404)
		coll, _ := builtin(t).ModuleBySlug("c1-academic-collocations")
		h.raw("GET", "/api/xel/modules/"+coll.ID.String(), nil, u.auth()).expect(t, 404)
		// The next submission syncs this release's catalogue into the mirror.
		h.answer(u, m, kept, kept.ExpectedAnswer())
		if n := h.countRows("xel_tasks", "id = ? AND retired_at IS NOT NULL", removed.ID.String()); n != 1 {
			t.Fatal("the server did not retire the removed task")
		}
		if h.countRows("xel_task_progress", "user_id = ? AND task_id = ?", u.ID, removed.ID.String()) != 1 ||
			h.countRows("xel_submissions", "user_id = ? AND task_id = ?", u.ID, removed.ID.String()) != 1 {
			t.Fatal("history of the retired task lost")
		}
		var seen bool
		for _, a := range h.dashboard(u).RecentActivity {
			if a.TaskId == removed.ID {
				seen = a.ModuleTitle == "The past simple (edited)" && a.Passed && a.TaskType == api.XELTaskType(removed.Type)
			}
		}
		if !seen {
			t.Fatal("retired task missing from recent activity")
		}
	})
}
