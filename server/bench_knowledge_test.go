package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xentree/xentree-api/internal/chunk"
	"github.com/xentree/xentree-api/store"
)

// Corpus of the knowledge benchmark: 100 users in 10 organizations, 100 documents each (half
// shared with the user's organization), 5 sections of ~700 bytes per document, so 10,000
// documents and 50,000 chunks, plus 10 Live transcripts of 20 turns per user and the study
// library. Words follow a Zipf law over a 5,000-word vocabulary, like prose.
const (
	benchUsers        = 100
	benchOrgs         = 10
	benchDocsPerUser  = 100
	benchSections     = 5
	benchVocabulary   = 5000
	benchTranscripts  = 10
	benchTurns        = 20
	benchSeedDocBatch = 250
)

// benchWords is a pronounceable vocabulary (stemmers treat the words as English would).
func benchWords() []string {
	cons, vow := []string{"b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z"}, []string{"a", "e", "i", "o", "u"}
	seen := map[string]bool{}
	var out []string
	r := rand.New(rand.NewPCG(1, 2))
	for len(out) < benchVocabulary {
		var w strings.Builder
		for range 2 + r.IntN(3) {
			w.WriteString(cons[r.IntN(len(cons))] + vow[r.IntN(len(vow))])
		}
		if s := w.String() + cons[r.IntN(len(cons))]; !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

type benchText struct {
	words []string
	zipf  *rand.Zipf
}

func (t *benchText) sentence(n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = t.words[t.zipf.Uint64()]
	}
	ws[0] = strings.ToUpper(ws[0][:1]) + ws[0][1:]
	return strings.Join(ws, " ") + "."
}

func (t *benchText) document() string {
	var b strings.Builder
	for range benchSections {
		fmt.Fprintf(&b, "## %s\n\n", strings.TrimSuffix(t.sentence(3), "."))
		var p strings.Builder
		for p.Len() < 680 {
			p.WriteString(t.sentence(8+int(t.zipf.Uint64()%8)) + " ")
		}
		b.WriteString(strings.TrimSpace(p.String()) + "\n\n")
	}
	return b.String()
}

// benchCorpus is the seeded corpus: its users (logged in), the queries and the text generator.
type benchCorpus struct {
	users           []*user
	queries, common []string
	text            *benchText
}

// seedKnowledge seeds the benchmark corpus through the store's bulk path and logs the bulk
// indexing throughput.
func seedKnowledge(tb testing.TB, h *harness) *benchCorpus {
	b := tb
	kind := h.kind
	ctx := context.Background()
	words := benchWords()
	r := rand.New(rand.NewPCG(3, 4))
	text := &benchText{words: words, zipf: rand.NewZipf(r, 1.1, 2, benchVocabulary-1)}
	users := make([]*user, benchUsers)
	for i := range users {
		users[i] = h.newUser("bk")
	}
	orgs := make([]string, benchOrgs)
	for i := range orgs {
		o := &store.Organization{Name: fmt.Sprintf("Bench org %d", i)}
		if err := h.store.CreateOrganization(ctx, o, users[i].ID); err != nil {
			b.Fatal(err)
		}
		orgs[i] = o.ID
	}
	for i, u := range users[benchOrgs:] {
		if err := h.store.AddMembership(ctx, &store.Membership{OrganizationID: orgs[i%benchOrgs], UserID: u.ID, Role: store.OrgMember}); err != nil {
			b.Fatal(err)
		}
	}
	h.loadLibrary()

	// Bulk indexing: documents chunked and stored in transactions of benchSeedDocBatch.
	var docs []*store.KnowledgeDocument
	var chunks [][]store.DocumentChunk
	seedStart := time.Now()
	chunksTotal := 0
	flush := func() {
		if err := h.store.CreateKnowledgeDocuments(ctx, docs, chunks); err != nil {
			b.Fatal(err)
		}
		docs, chunks = nil, nil
	}
	for i, u := range users {
		for j := range benchDocsPerUser {
			d := &store.KnowledgeDocument{OwnerUserID: &u.ID, Title: strings.TrimSuffix(text.sentence(4), "."),
				Content: text.document(), ContentType: store.ContentMarkdown}
			if j%2 == 1 {
				d.OrganizationID = &orgs[i%benchOrgs]
			}
			cs := chunk.Split(d.Content, chunk.Options{})
			dc := make([]store.DocumentChunk, len(cs))
			for k, c := range cs {
				dc[k] = store.DocumentChunk{Heading: c.Heading, Text: c.Text, Start: c.Start, End: c.End}
			}
			chunksTotal += len(dc)
			docs, chunks = append(docs, d), append(chunks, dc)
			if len(docs) == benchSeedDocBatch {
				flush()
			}
		}
	}
	seeded := time.Since(seedStart)
	b.Logf("%s: bulk-indexed %d documents (%d chunks) in %s: %.0f documents/s", kind, benchUsers*benchDocsPerUser,
		chunksTotal, seeded.Round(time.Millisecond), float64(benchUsers*benchDocsPerUser)/seeded.Seconds())
	start := at("2026-06-01T10:00:00Z")
	for _, u := range users {
		for range benchTranscripts {
			turns := make([]store.LiveTranscriptTurn, benchTurns)
			for k := range turns {
				turns[k] = store.LiveTranscriptTurn{Role: []string{"user", "ai"}[k%2], Text: text.sentence(12), SpokenAt: start}
			}
			if err := h.store.CreateLiveTranscript(ctx, &store.LiveTranscript{UserID: u.ID, SessionStartedAt: start, SessionEndedAt: start.Add(time.Minute)}, turns); err != nil {
				b.Fatal(err)
			}
		}
	}
	// PostgreSQL's autovacuum would analyze the new rows soon; SQLite is left as the server
	// leaves it (an ANALYZE there adds sqlite_stat4, which makes FTS5 re-prepare its internal
	// statements on every seek: searches three times slower).
	if kind == "postgres" {
		if err := h.store.DB(ctx).Exec("ANALYZE").Error; err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%s: %d index entries", kind, h.countRows("search_entries", "1 = 1"))

	// Queries: one to three words of ranks 100 to 3,000 (content words: the most frequent ranks
	// of a Zipf vocabulary play the part of the stop words real queries lose), and, apart, single
	// words of ranks 2 to 11, each in half of all chunks or more: the worst case.
	var queries, common []string
	for i := range 60 {
		var q []string
		for k := range 1 + i%3 {
			q = append(q, words[[]int{100, 300, 1000, 3000}[(i+k)%4]+i])
		}
		queries = append(queries, strings.Join(q, " "))
	}
	for i := range 10 {
		common = append(common, words[2+i])
	}
	return &benchCorpus{users: users, queries: queries, common: common, text: text}
}

// BenchmarkKnowledge (SQLite and PostgreSQL): knowledge search and content search through the
// whole stack at 1 and 8 concurrent clients on the 10,000-document corpus, beside GET
// /api/auth/me (authentication and JSON, no search) as the baseline; bulk indexing and
// indexing one document through the API (documents/s).
func BenchmarkKnowledge(b *testing.B) {
	for _, kind := range dbKinds {
		b.Run(kind, func(b *testing.B) { benchKnowledge(b, kind) })
	}
}

func benchKnowledge(b *testing.B, kind string) {
	h := newHarness(b, kind, manyLogins)
	h.log = slog.New(slog.NewJSONHandler(io.Discard, nil))
	h.restart(manyLogins)
	c := seedKnowledge(b, h)
	users, queries, text := c.users, c.queries, c.text
	b.Logf("%s: load average before the runs: %s", kind, loadAverage())
	defer func() { b.Logf("%s: load average after the runs: %s", kind, loadAverage()) }()
	var seq atomic.Int64
	call := func(method string, path func(int) string, body func(int) string) func() error {
		return func() error {
			n := int(seq.Add(1))
			var rd io.Reader
			if body != nil {
				rd = strings.NewReader(body(n))
			}
			req := httptest.NewRequest(method, path(n), rd)
			req.RemoteAddr = h.remoteAddr
			req.Header.Set("Authorization", "Bearer "+users[n%benchUsers].Access)
			if body != nil {
				req.Header.Set("Content-Type", "application/json")
			}
			rec := httptest.NewRecorder()
			h.e.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK && rec.Code != http.StatusCreated {
				return fmt.Errorf("%s: %d %s", req.URL, rec.Code, rec.Body)
			}
			return nil
		}
	}
	cases := []struct {
		name string
		do   func() error
	}{
		{"baseline-me", call("GET", func(int) string { return "/api/auth/me" }, nil)},
		{"knowledge-search", call("POST", func(int) string { return "/api/knowledge/search" },
			func(n int) string { return fmt.Sprintf(`{"query": %q, "limit": 5}`, queries[n%len(queries)]) })},
		{"content-search", call("GET", func(n int) string { return "/api/core/search?limit=20&q=" + urlQuery(queries[n%len(queries)]) }, nil)},
		{"knowledge-search-common-word", call("POST", func(int) string { return "/api/knowledge/search" },
			func(n int) string { return fmt.Sprintf(`{"query": %q, "limit": 5}`, c.common[n%len(c.common)]) })},
		{"content-search-common-word", call("GET", func(n int) string { return "/api/core/search?limit=20&q=" + urlQuery(c.common[n%len(c.common)]) }, nil)},
	}
	for _, c := range cases {
		for _, clients := range []int{1, 8} {
			b.Run(fmt.Sprintf("%s/clients=%d", c.name, clients), func(b *testing.B) { measure(b, clients, c.do) })
		}
	}
	b.Run("index-http/clients=1", func(b *testing.B) {
		measure(b, 1, call("POST", func(int) string { return "/api/knowledge/documents" },
			func(int) string { return fmt.Sprintf(`{"title": "Bench", "content": %q}`, text.document()) }))
	})
}

// loadAverage is the machine's 1, 5 and 15 minute load averages (the box is shared).
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}
