package store

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/xentree/xentree-api/internal/search"
)

// Full-text search over search_entries, native to each database:
//
//   - PostgreSQL: the generated tsvector column (english configuration, GIN index without fast
//     update) matched by one tsquery OR-ing plainto_tsquery of each term (every term a bound
//     parameter), ranked by ts_rank_cd with the title/heading/text weights and length
//     normalization, snippets by ts_headline; visibility as index-friendly conditions;
//   - SQLite: the FTS5 table (porter stemming) matched by the terms quoted and OR-ed in the text
//     columns, AND-ed with the reader's scope words (so the index intersects the two instead of
//     ranking every user's matches), ranked by bm25 with the same column weights, snippets by
//     snippet().
//
// Both rank in a first step that reads ids and scores only, then make snippets for the rows
// kept, so a common word costs ranking, never thousands of snippets.

// Column weights: title, heading, text. PostgreSQL weighs labels A (title), B (heading) and D
// (text); its weights array runs D, C, B, A.
const (
	pgWeights   = `'{0.1, 0.2, 0.4, 1.0}'`
	sqliteRank  = "bm25(search_fts, 10.0, 4.0, 1.0, 0.0)"
	snippetSize = 30 // words
)

// pgRank ranks e by the tsquery expression tsq. The expression is written out wherever it is
// used (rather than computed once in a CTE) so that the planner sees the words and can weigh
// the full-text index against the owner and organization indexes.
func pgRank(tsq string) string { return "ts_rank_cd(" + pgWeights + ", e.tsv, " + tsq + ", 1)" }

var pgHeadline = `StartSel="` + search.MarkStart + `", StopSel="` + search.MarkEnd +
	`", MaxFragments=2, MaxWords=18, MinWords=8, FragmentDelimiter=" … "`

// KnowledgeHit is a document chunk SearchKnowledge found.
type KnowledgeHit struct {
	ChunkID    string
	DocumentID string
	Title      string
	Heading    string
	// Slug names a note of the study library (nil for users' documents).
	Slug *string
	// Text is the chunk's whole text (for answers built from it).
	Text string
	// Snippet has search.MarkStart and search.MarkEnd around the matches.
	Snippet string
	Score   float64
}

// ftsMatch is the FTS5 query for terms in the text columns, within the scopes (SQLite).
func ftsMatch(terms, scopes []string) string {
	return "{title heading body} : (" + search.FTS5Query(terms) + ") AND scope : (" + search.FTS5Query(scopes) + ")"
}

// tsquery is the PostgreSQL expression matching any of n terms, each bound as a parameter.
func tsquery(n int) string {
	return "(" + strings.Repeat("plainto_tsquery('english', ?) || ", n-1) + "plainto_tsquery('english', ?))"
}

func anys(terms []string) []any {
	out := make([]any, len(terms))
	for i, t := range terms {
		out[i] = t
	}
	return out
}

// SearchKnowledge returns the document chunks r may read that match any of terms (from
// search.Terms), best first; none for no terms.
func (s *Store) SearchKnowledge(ctx context.Context, r Reader, terms []string, limit int) ([]KnowledgeHit, error) {
	hits := []KnowledgeHit{}
	if len(terms) == 0 || limit <= 0 {
		return hits, nil
	}
	vis, visArgs := r.where(s.dialect, "e.")
	var sql string
	var args []any
	if s.dialect == Postgres {
		tsq, ta := tsquery(len(terms)), anys(terms)
		sql = `WITH top AS (
	SELECT e.id, ` + pgRank(tsq) + ` AS score
	FROM search_entries e
	WHERE e.tsv @@ ` + tsq + ` AND e.kind = 'document' AND ` + vis + `
	ORDER BY score DESC, e.id LIMIT ?)
SELECT e.chunk_id, e.document_id, d.title, d.slug, e.heading, e.body AS text,
	ts_headline('english', e.body, ` + tsq + `, ?) AS snippet, top.score
FROM top JOIN search_entries e ON e.id = top.id JOIN knowledge_documents d ON d.id = e.document_id
ORDER BY top.score DESC, e.id`
		args = slices.Concat(ta, ta, visArgs, []any{limit}, ta, []any{pgHeadline})
	} else {
		scopes, err := s.scopes(ctx, r)
		if err != nil {
			return nil, err
		}
		match := ftsMatch(terms, scopes)
		sql = `WITH top AS (
	SELECT e.id, ` + sqliteRank + ` AS rank
	FROM search_fts JOIN search_entries e ON e.id = search_fts.rowid
	WHERE search_fts MATCH ? AND e.kind = 'document' AND ` + vis + `
	ORDER BY rank, e.id LIMIT ?)
SELECT e.chunk_id, e.document_id, d.title, d.slug, e.heading, e.body AS text,
	snippet(search_fts, 2, ?, ?, '…', ?) AS snippet, -top.rank AS score
FROM top JOIN search_fts ON search_fts.rowid = top.id JOIN search_entries e ON e.id = top.id
	JOIN knowledge_documents d ON d.id = e.document_id
WHERE search_fts MATCH ?
ORDER BY top.rank, e.id`
		args = append(append([]any{match}, visArgs...), limit, search.MarkStart, search.MarkEnd, snippetSize, match)
	}
	err := s.q(ctx).Raw(sql, args...).Scan(&hits).Error
	return hits, err
}

// ContentQuery is a search of one user's own content.
type ContentQuery struct {
	UserID string
	// KeyOrg is set for an API key: documents count only when shared with this organization.
	KeyOrg string
	// Kinds restricts the search to these kinds (KindDocument ...); empty: all.
	Kinds []string
	Terms []string
	Limit int
}

// ContentHit is one object SearchContent found: its best-matching entry.
type ContentHit struct {
	Kind     string
	ObjectID string
	// Title is the document's title, or the conversation's (for a conversation or a message);
	// "" for a transcript (see SessionStartedAt).
	Title string
	// ConversationID is the conversation of a conversation or message hit.
	ConversationID *string
	// SessionStartedAt is a transcript's session start.
	SessionStartedAt *time.Time
	Snippet          string
	Score            float64
	CreatedAt        time.Time
}

// AllKinds are the kinds content search covers.
var AllKinds = []string{KindConversation, KindMessage, KindTranscript, KindDocument}

// SearchContent returns the user's own objects (documents they own, their transcripts,
// conversations and messages) matching any of q.Terms, one hit per object, best first.
func (s *Store) SearchContent(ctx context.Context, q ContentQuery) ([]ContentHit, error) {
	hits := []ContentHit{}
	if len(q.Terms) == 0 || q.Limit <= 0 {
		return hits, nil
	}
	kinds := q.Kinds
	if len(kinds) == 0 {
		kinds = AllKinds
	}
	filter := "e.owner_user_id = ? AND e.kind IN ?"
	filterArgs := []any{q.UserID, kinds}
	if q.KeyOrg != "" {
		filter += " AND (e.kind <> 'document' OR e.organization_id = ?)"
		filterArgs = append(filterArgs, q.KeyOrg)
	}
	// The objects' display columns, joined for the rows kept only.
	const display = `e.kind, e.object_id, COALESCE(c.title, e.title) AS title, e.conversation_id, e.created_at, t.session_started_at`
	const joins = `LEFT JOIN live_transcripts t ON e.kind = 'transcript' AND t.id = e.object_id
	LEFT JOIN conversations c ON c.id = e.conversation_id`
	var sql string
	var args []any
	if s.dialect == Postgres {
		tsq, ta := tsquery(len(q.Terms)), anys(q.Terms)
		sql = `WITH hits AS (
	SELECT e.id, e.kind, e.object_id, ` + pgRank(tsq) + ` AS score
	FROM search_entries e
	WHERE e.tsv @@ ` + tsq + ` AND ` + filter + `),
best AS (SELECT DISTINCT ON (kind, object_id) id, score FROM hits ORDER BY kind, object_id, score DESC, id),
top AS (SELECT id, score FROM best ORDER BY score DESC, id LIMIT ?)
SELECT ` + display + `, ts_headline('english', e.body, ` + tsq + `, ?) AS snippet, top.score
FROM top JOIN search_entries e ON e.id = top.id ` + joins + `
ORDER BY top.score DESC, e.id`
		args = slices.Concat(ta, ta, filterArgs, []any{q.Limit}, ta, []any{pgHeadline})
	} else {
		match := ftsMatch(q.Terms, []string{userScope(q.UserID)})
		// SQLite takes a bare column (id) of an aggregate query from the row holding the min().
		sql = `WITH hits AS MATERIALIZED (
	SELECT e.id, e.kind, e.object_id, ` + sqliteRank + ` AS rank
	FROM search_fts JOIN search_entries e ON e.id = search_fts.rowid
	WHERE search_fts MATCH ? AND ` + filter + `),
best AS (SELECT id, min(rank) AS rank FROM hits GROUP BY kind, object_id),
top AS (SELECT id, rank FROM best ORDER BY rank, id LIMIT ?)
SELECT ` + display + `, snippet(search_fts, 2, ?, ?, '…', ?) AS snippet, -top.rank AS score
FROM top JOIN search_fts ON search_fts.rowid = top.id JOIN search_entries e ON e.id = top.id ` + joins + `
WHERE search_fts MATCH ?
ORDER BY top.rank, e.id`
		args = append(append([]any{match}, filterArgs...), q.Limit, search.MarkStart, search.MarkEnd, snippetSize, match)
	}
	err := s.q(ctx).Raw(sql, args...).Scan(&hits).Error
	return hits, err
}

// indexTranscript adds a transcript's turns to the search index (one entry per turn that has
// text), in the caller's transaction.
func (s *Store) indexTranscript(ctx context.Context, t *LiveTranscript, turns []LiveTranscriptTurn) error {
	entries := make([]searchEntry, 0, len(turns))
	for _, turn := range turns {
		if strings.TrimSpace(turn.Text) == "" {
			continue
		}
		entries = append(entries, searchEntry{Kind: KindTranscript, ObjectID: t.ID, Seq: turn.Seq,
			OwnerUserID: &t.UserID, Body: turn.Text, CreatedAt: t.CreatedAt})
	}
	return s.insertEntries(ctx, entries)
}
