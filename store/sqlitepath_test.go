package store

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
)

// TestSQLitePathSpecialCharacters: a path with '#', '?' or '%' opens that very file.
func TestSQLitePathSpecialCharacters(t *testing.T) {
	for _, name := range []string{"a#01", "b?x=1", "c%41"} {
		dir := filepath.Join(t.TempDir(), name)
		path := filepath.Join(dir, "x.db")
		st, err := Open(context.Background(), path, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := st.DB(context.Background()).Exec("CREATE TABLE t (x int)").Error; err != nil {
			t.Fatal(err)
		}
		st.Close()
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("%s: the database is not at its path: %v", name, err)
		}
	}
}
