package server

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xentree/xentree-api/internal/ai"
	"github.com/xentree/xentree-api/internal/pgtest"
	"github.com/xentree/xentree-api/store"
)

// retrievalStores opens a migrated store per database (PostgreSQL in a schema of its own when
// XENTREE_TEST_DATABASE_URL is set).
func retrievalStores(t *testing.T) map[string]*store.Store {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	urls := map[string]string{"sqlite": filepath.Join(t.TempDir(), "x.db")}
	if base := os.Getenv("XENTREE_TEST_DATABASE_URL"); base != "" {
		urls["postgres"] = pgtest.Schema(t, base, "t_")
	}
	out := map[string]*store.Store{}
	for kind, u := range urls {
		st, err := store.Open(ctx, u, log)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if err := LoadLibrary(ctx, st, log); err != nil {
			t.Fatal(err)
		}
		out[kind] = st
	}
	return out
}

// TestOfflineTutorRetrieves: the offline tutor answers from the study library and from the
// asker's own documents through the full-text retriever, never from another user's.
func TestOfflineTutorRetrieves(t *testing.T) {
	for kind, st := range retrievalStores(t) {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			var users []*store.User
			for _, name := range []string{"tutor_owner", "tutor_other"} {
				u := &store.User{Username: name + kind, Email: name + kind + "@example.com", PasswordHash: "x", Role: store.RoleUser}
				if err := st.CreateUser(ctx, u); err != nil {
					t.Fatal(err)
				}
				users = append(users, u)
			}
			doc := &store.KnowledgeDocument{OwnerUserID: &users[0].ID, Title: "My glossary", ContentType: store.ContentMarkdown,
				Content: "Flurbometry is the careful measuring of flurbs."}
			if err := st.CreateKnowledgeDocument(ctx, doc, documentChunks(doc.Content)); err != nil {
				t.Fatal(err)
			}
			router, err := ai.NewRouter(ai.Config{Clock: st.Clock()}, newRetriever(&deps{store: st}))
			if err != nil {
				t.Fatal(err)
			}
			tutor, _ := router.Provider(ai.OfflineName)
			ask := func(u *store.User, msg string) string {
				t.Helper()
				res, err := tutor.Complete(ctx, ai.Request{UserID: u.ID, Messages: []ai.Message{{Role: ai.RoleUser, Content: msg}}})
				if err != nil {
					t.Fatal(err)
				}
				return res.Content
			}
			if a := ask(users[1], "Can you explain the second conditional?"); !strings.Contains(a, libraryPassageSource) || !strings.Contains(a, "**Conditionals") {
				t.Errorf("grammar answer not from the library:\n%s", a)
			}
			if a := ask(users[0], "What does flurbometry mean?"); !strings.Contains(a, "careful measuring of flurbs") || !strings.Contains(a, "My glossary") {
				t.Errorf("owner's answer does not use their document:\n%s", a)
			}
			if a := ask(users[1], "What does flurbometry mean?"); strings.Contains(a, "flurbs") || strings.Contains(a, "My glossary") {
				t.Errorf("another user's document reached the answer:\n%s", a)
			}
		})
	}
}
