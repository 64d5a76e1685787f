package server

import (
	"context"
	"log/slog"
	"sync"

	"github.com/xentree/xentree-api/internal/chunk"
	"github.com/xentree/xentree-api/internal/library"
	"github.com/xentree/xentree-api/store"
)

// libraryNotes are the embedded study notes, validated and chunked once per process.
var libraryNotes = sync.OnceValues(func() ([]store.LibraryNote, error) {
	notes, err := library.Notes()
	if err != nil {
		return nil, err
	}
	out := make([]store.LibraryNote, len(notes))
	for i, n := range notes {
		out[i] = store.LibraryNote{Slug: n.Slug, Checksum: n.Checksum, Title: n.Title, Content: n.Body,
			Chunks: documentChunks(n.Body)}
	}
	return out, nil
})

// documentChunks splits a document's text into its retrieval chunks.
func documentChunks(text string) []store.DocumentChunk {
	cs := chunk.Split(text, chunk.Options{})
	out := make([]store.DocumentChunk, len(cs))
	for i, c := range cs {
		out[i] = store.DocumentChunk{Heading: c.Heading, Text: c.Text, Start: c.Start, End: c.End}
	}
	return out
}

// LoadLibrary stores the shipped study library (content/notes) as platform documents every
// user can search, adding, re-chunking or removing only the notes that changed (by slug and
// checksum). The binary calls it at start, after migrations; replicas starting together are
// safe (store.SyncLibrary).
func LoadLibrary(ctx context.Context, st *store.Store, log *slog.Logger) error {
	notes, err := libraryNotes()
	if err != nil {
		return err
	}
	res, err := st.SyncLibrary(ctx, notes)
	if err != nil {
		return err
	}
	if res != (store.LibrarySync{}) {
		log.Info("study library loaded", "notes", len(notes), "added", res.Added, "updated", res.Updated, "removed", res.Removed)
	}
	return nil
}
