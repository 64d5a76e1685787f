package store

import (
	"context"
	"maps"
	"slices"
)

// LibraryNote is a note of the shipped study library as SyncLibrary stores it: a platform
// document every user can search, identified by its slug.
type LibraryNote struct {
	Slug, Checksum, Title, Content string
	Chunks                         []DocumentChunk
}

// LibrarySync counts what SyncLibrary changed.
type LibrarySync struct{ Added, Updated, Removed int }

// libraryLock is the PostgreSQL advisory lock key replicas take to load the library one at a
// time ("xentree library" in ASCII, truncated).
const libraryLock = 0x78656e7472656c69

// SyncLibrary makes the library documents match notes: a new slug is added, a changed checksum
// re-chunks the note under the same document id, a slug no longer shipped is deleted; a note
// whose checksum matches is left alone, so a restart writes nothing. Replicas starting together
// are safe: the changes run in one transaction under an advisory lock (PostgreSQL) or the write
// lock (SQLite), after a re-read.
func (s *Store) SyncLibrary(ctx context.Context, notes []LibraryNote) (LibrarySync, error) {
	stored, err := s.libraryChecksums(ctx)
	if err != nil || upToDate(stored, notes) {
		return LibrarySync{}, err
	}
	var res LibrarySync
	err = s.Tx(ctx, func(tx *Store) error {
		res = LibrarySync{}
		if tx.dialect == Postgres {
			if err := tx.q(ctx).Exec("SELECT pg_advisory_xact_lock(?)", libraryLock).Error; err != nil {
				return err
			}
		}
		docs, err := tx.libraryDocs(ctx)
		if err != nil {
			return err
		}
		now := tx.Now()
		for _, n := range notes {
			d, ok := docs[n.Slug]
			delete(docs, n.Slug)
			switch {
			case !ok:
				res.Added++
				d = &KnowledgeDocument{ID: NewID(), Slug: &n.Slug, CreatedAt: now}
			case *d.Checksum == n.Checksum:
				continue
			default:
				res.Updated++
				if err := tx.q(ctx).Where("document_id = ?", d.ID).Delete(&searchEntry{}).Error; err != nil {
					return err
				}
			}
			d.Checksum, d.Title, d.Content, d.ContentType = &n.Checksum, n.Title, n.Content, ContentMarkdown
			d.SizeBytes, d.ChunkCount, d.UpdatedAt = len(n.Content), len(n.Chunks), now
			write := tx.q(ctx).Create
			if ok {
				write = tx.q(ctx).Select("*").Updates
			}
			if err := write(d).Error; err != nil {
				return err
			}
			if err := tx.insertEntries(ctx, documentEntries(d, n.Chunks)); err != nil {
				return err
			}
		}
		for _, d := range docs {
			res.Removed++
			if err := tx.DeleteKnowledgeDocument(ctx, d.ID); err != nil {
				return err
			}
		}
		return nil
	})
	return res, err
}

func (s *Store) libraryChecksums(ctx context.Context) (map[string]string, error) {
	var rows []KnowledgeDocument
	err := s.q(ctx).Select("slug", "checksum").Where("slug IS NOT NULL").Find(&rows).Error
	out := map[string]string{}
	for _, r := range rows {
		out[*r.Slug] = *r.Checksum
	}
	return out, err
}

func (s *Store) libraryDocs(ctx context.Context) (map[string]*KnowledgeDocument, error) {
	var rows []*KnowledgeDocument
	err := s.q(ctx).Select(documentColumns).Where("slug IS NOT NULL").Find(&rows).Error
	out := map[string]*KnowledgeDocument{}
	for _, r := range rows {
		out[*r.Slug] = r
	}
	return out, err
}

func upToDate(stored map[string]string, notes []LibraryNote) bool {
	want := map[string]string{}
	for _, n := range notes {
		want[n.Slug] = n.Checksum
	}
	return maps.Equal(stored, want) && len(want) == len(notes)
}

// LibrarySlugs lists the slugs of the stored library, sorted (tests and tools).
func (s *Store) LibrarySlugs(ctx context.Context) ([]string, error) {
	m, err := s.libraryChecksums(ctx)
	return slices.Sorted(maps.Keys(m)), err
}
