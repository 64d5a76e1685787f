package store

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"
)

// KnowledgeDocument is a text document of the knowledge base: a user's (private to OwnerUserID,
// or shared with OrganizationID) or a note of the shipped study library (Slug and Checksum set,
// no owner). Its chunks are search entries of kind "document".
type KnowledgeDocument struct {
	ID             string `gorm:"primaryKey"`
	OwnerUserID    *string
	OrganizationID *string
	Slug           *string
	Checksum       *string
	Title          string
	Content        string
	ContentType    string
	SizeBytes      int
	ChunkCount     int
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Content types of a document.
const (
	ContentMarkdown = "text/markdown"
	ContentPlain    = "text/plain"
)

// DocumentChunk is one retrieval chunk of a document: the headings it sits under and its text,
// at bytes Start to End of the content.
type DocumentChunk struct {
	Heading    string
	Text       string
	Start, End int
}

// Search entry kinds (the content-search types).
const (
	KindDocument     = "document"
	KindTranscript   = "transcript"
	KindConversation = "conversation"
	KindMessage      = "message"
)

// searchEntry is one row of the full-text index (see migration 00006).
type searchEntry struct {
	ID             int64 `gorm:"primaryKey"`
	Kind           string
	ObjectID       string
	Seq            int
	OwnerUserID    *string
	OrganizationID *string
	DocumentID     *string
	ChunkID        *string
	Title          string
	Heading        string
	Body           string
	StartOffset    int
	EndOffset      int
	CreatedAt      time.Time
}

func (searchEntry) TableName() string { return "search_entries" }

// entryBatch keeps multi-row inserts of entries (14 columns) under SQLite's 32,766 parameters.
const entryBatch = 500

// documentColumns are the columns listing reads: everything but the content.
var documentColumns = []string{"id", "owner_user_id", "organization_id", "slug", "checksum", "title",
	"content_type", "size_bytes", "chunk_count", "created_at", "updated_at"}

// CreateKnowledgeDocument stores d and its chunks in one transaction, filling id, times, size
// and chunk count.
func (s *Store) CreateKnowledgeDocument(ctx context.Context, d *KnowledgeDocument, chunks []DocumentChunk) error {
	return s.CreateKnowledgeDocuments(ctx, []*KnowledgeDocument{d}, [][]DocumentChunk{chunks})
}

// CreateKnowledgeDocuments stores many documents (chunks[i] are docs[i]'s) in one transaction,
// with multi-row inserts: the library loader and bulk imports.
func (s *Store) CreateKnowledgeDocuments(ctx context.Context, docs []*KnowledgeDocument, chunks [][]DocumentChunk) error {
	now := s.Now()
	var entries []searchEntry
	for i, d := range docs {
		d.ID, d.CreatedAt, d.UpdatedAt = NewID(), now, now
		d.SizeBytes, d.ChunkCount = len(d.Content), len(chunks[i])
		entries = append(entries, documentEntries(d, chunks[i])...)
	}
	return s.Tx(ctx, func(tx *Store) error {
		if err := tx.q(ctx).CreateInBatches(docs, entryBatch).Error; err != nil {
			return err
		}
		return tx.insertEntries(ctx, entries)
	})
}

func (s *Store) insertEntries(ctx context.Context, entries []searchEntry) error {
	if len(entries) == 0 {
		return nil
	}
	return s.q(ctx).Omit("id").CreateInBatches(entries, entryBatch).Error
}

// documentEntries are d's chunks as index rows, carrying d's title and visibility.
func documentEntries(d *KnowledgeDocument, chunks []DocumentChunk) []searchEntry {
	out := make([]searchEntry, len(chunks))
	for i, c := range chunks {
		id := NewID()
		out[i] = searchEntry{Kind: KindDocument, ObjectID: d.ID, Seq: i, OwnerUserID: d.OwnerUserID,
			OrganizationID: d.OrganizationID, DocumentID: &d.ID, ChunkID: &id, Title: d.Title,
			Heading: c.Heading, Body: c.Text, StartOffset: c.Start, EndOffset: c.End, CreatedAt: d.CreatedAt}
	}
	return out
}

// KnowledgeDocumentByID returns a document without its content. Callers decide who may see it.
func (s *Store) KnowledgeDocumentByID(ctx context.Context, id string) (*KnowledgeDocument, error) {
	var d KnowledgeDocument
	err := s.q(ctx).Select(documentColumns).Where("id = ?", id).Take(&d).Error
	return &d, notFound(err)
}

// DeleteKnowledgeDocument deletes a document with its chunks and their index entries, in one
// transaction (explicitly, not trusting the cascade alone).
func (s *Store) DeleteKnowledgeDocument(ctx context.Context, id string) error {
	return s.Tx(ctx, func(tx *Store) error {
		if err := tx.q(ctx).Where("document_id = ?", id).Delete(&searchEntry{}).Error; err != nil {
			return err
		}
		return affected(tx.q(ctx).Where("id = ?", id).Delete(&KnowledgeDocument{}))
	})
}

// Reader is who reads the knowledge base, and so which documents a listing or a search covers.
type Reader struct {
	UserID string
	// OnlyOrg narrows to the documents shared with this organization (the caller has checked
	// that the reader may read it).
	OnlyOrg string
	// KeyOrg is set for an API key: its organization's shared documents only (while the user
	// is a member), never the user's private ones.
	KeyOrg string
	// Library adds the shipped study library (ignored with OnlyOrg).
	Library bool
	// OnlyLibrary narrows to the study library (an API key that may not read documents).
	OnlyLibrary bool
}

// where is the condition (over a table with owner_user_id and organization_id, named by
// prefix) selecting the documents r may read, with its arguments. Memberships are read by the
// query itself, so leaving an organization ends access at once.
func (r Reader) where(dialect Dialect, prefix string) (string, []any) {
	owner, org := prefix+"owner_user_id", prefix+"organization_id"
	if r.OnlyLibrary {
		return owner + " IS NULL", nil
	}
	if r.OnlyOrg != "" {
		return org + " = ?", []any{r.OnlyOrg}
	}
	var cond string
	var args []any
	if r.KeyOrg != "" {
		cond = "(" + org + " = ? AND EXISTS (SELECT 1 FROM memberships m WHERE m.organization_id = ? AND m.user_id = ?))"
		args = []any{r.KeyOrg, r.KeyOrg, r.UserID}
	} else {
		// = ANY(ARRAY(...)) rather than IN (...): PostgreSQL then reads the organizations first
		// and can combine index scans on owner and organization with the full-text index.
		cond = "(" + owner + " = ? OR " + org + " = ANY (ARRAY(SELECT m.organization_id FROM memberships m WHERE m.user_id = ?)))"
		if dialect == SQLite {
			cond = "(" + owner + " = ? OR " + org + " IN (SELECT m.organization_id FROM memberships m WHERE m.user_id = ?))"
		}
		args = []any{r.UserID, r.UserID}
	}
	if r.Library {
		cond = "(" + cond + " OR " + owner + " IS NULL)"
	}
	return cond, args
}

func (r Reader) visible(dialect Dialect, q *gorm.DB) *gorm.DB {
	cond, args := r.where(dialect, "")
	return q.Where(cond, args...)
}

// ListKnowledgeDocuments returns the documents r may read, newest first, without content.
func (s *Store) ListKnowledgeDocuments(ctx context.Context, r Reader, limit, offset int) ([]KnowledgeDocument, error) {
	rows := []KnowledgeDocument{}
	q := r.visible(s.dialect, s.q(ctx).Select(documentColumns))
	err := q.Order("created_at DESC, id DESC").Limit(limit).Offset(offset).Find(&rows).Error
	return rows, err
}

// CanRead reports whether r may read document id.
func (s *Store) CanRead(ctx context.Context, r Reader, id string) (bool, error) {
	var n int64
	err := r.visible(s.dialect, s.q(ctx).Model(&KnowledgeDocument{}).Where("id = ?", id)).Count(&n).Error
	return n > 0, err
}

// scopes are the FTS5 scope words (see migration 00006 for SQLite) of what r may read: the
// user's, their organizations' (read now), the library's.
func (s *Store) scopes(ctx context.Context, r Reader) ([]string, error) {
	var out []string
	switch {
	case r.OnlyLibrary:
		return []string{"lib"}, nil
	case r.OnlyOrg != "":
		return []string{orgScope(r.OnlyOrg)}, nil
	case r.KeyOrg != "":
		out = append(out, orgScope(r.KeyOrg))
	default:
		var orgs []string
		if err := s.q(ctx).Model(&Membership{}).Where("user_id = ?", r.UserID).Pluck("organization_id", &orgs).Error; err != nil {
			return nil, err
		}
		out = append(out, userScope(r.UserID))
		for _, o := range orgs {
			out = append(out, orgScope(o))
		}
	}
	if r.Library {
		out = append(out, "lib")
	}
	return out, nil
}

func userScope(id string) string { return "u" + strings.ReplaceAll(id, "-", "") }
func orgScope(id string) string  { return "o" + strings.ReplaceAll(id, "-", "") }
