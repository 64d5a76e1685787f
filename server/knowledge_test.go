package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http/httptest"
	"net/textproto"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/server"
	"github.com/xentree/xentree-api/store"
)

// loadLibrary loads the shipped study library, as the binary does at start.
func (h *harness) loadLibrary() {
	h.t.Helper()
	if err := server.LoadLibrary(context.Background(), h.store, h.log); err != nil {
		h.t.Fatalf("load library: %v", err)
	}
}

// createDoc stores a document through the API (shared with orgID unless "").
func (h *harness) createDoc(u *user, title, content, orgID string) api.KnowledgeDocumentResponse {
	h.t.Helper()
	body := map[string]any{"title": title, "content": content}
	if orgID != "" {
		body["organization_id"] = orgID
	}
	var d api.KnowledgeDocumentResponse
	h.raw("POST", "/api/knowledge/documents", body, u.auth()).expect(h.t, 201).decode(h.t, &d)
	return d
}

// ksearch runs a knowledge search with cred (200 expected).
func (h *harness) ksearch(cred header, query string, extra ...map[string]any) []api.KnowledgeSearchHit {
	h.t.Helper()
	body := map[string]any{"query": query, "limit": 50}
	for _, e := range extra {
		for k, v := range e {
			body[k] = v
		}
	}
	var hits []api.KnowledgeSearchHit
	h.raw("POST", "/api/knowledge/search", body, cred).expect(h.t, 200).decode(h.t, &hits)
	return hits
}

// csearch runs a content search with cred (200 expected); rawQuery is appended as is.
func (h *harness) csearch(cred header, q string, rawQuery ...string) []api.SearchResult {
	h.t.Helper()
	path := "/api/core/search?q=" + urlQuery(q) + strings.Join(rawQuery, "")
	var hits []api.SearchResult
	h.raw("GET", path, nil, cred).expect(h.t, 200).decode(h.t, &hits)
	return hits
}

// docs lists documents with cred (200 expected).
func (h *harness) docs(cred header, query string) []api.KnowledgeDocumentResponse {
	h.t.Helper()
	var out []api.KnowledgeDocumentResponse
	h.raw("GET", "/api/knowledge/documents"+query, nil, cred).expect(h.t, 200).decode(h.t, &out)
	return out
}

func urlQuery(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func pluck[T any](items []T, title func(T) string) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, title(it))
	}
	return out
}

func hitTitles(hits []api.KnowledgeSearchHit) []string {
	return pluck(hits, func(h api.KnowledgeSearchHit) string { return h.Title })
}

func docTitles(ds []api.KnowledgeDocumentResponse) []string {
	return pluck(ds, func(d api.KnowledgeDocumentResponse) string { return d.Title })
}

// ftsIntact checks, on SQLite, that the FTS5 index matches its content table exactly.
func (h *harness) ftsIntact() {
	h.t.Helper()
	if h.kind != "sqlite" {
		return
	}
	if err := h.store.DB(context.Background()).Exec("INSERT INTO search_fts (search_fts, rank) VALUES ('integrity-check', 1)").Error; err != nil {
		h.t.Fatalf("FTS index out of sync: %v", err)
	}
}

// TestKnowledgeDocuments: create (private, shared, through an API key), list (own and shared,
// by organization, with the library), delete rules, and a delete removes chunks and index rows.
func TestKnowledgeDocuments(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.loadLibrary()
		owner, admin, member, outsider := h.newUser("kd_owner"), h.newUser("kd_admin"), h.newUser("kd_member"), h.newUser("kd_out")
		org := h.createOrg(admin, "Docs Org").Id.String()
		h.addMember(admin, org, owner, "member", "")
		h.addMember(admin, org, member, "member", "")
		other := h.createOrg(outsider, "Other Org").Id.String()

		private := h.createDoc(owner, "  Private notes ", "# Private\n\nMy own text about plonkwordverbs.", "")
		if private.Title != "Private notes" || private.Source != api.KnowledgeDocumentResponseSourceUser || private.ChunkCount != 1 ||
			private.SizeBytes != len("# Private\n\nMy own text about plonkwordverbs.") || !private.OrganizationId.IsNull() ||
			private.OwnerUserId.MustGet().String() != owner.ID || private.ContentType != api.Textmarkdown {
			t.Fatalf("private: %+v", private)
		}
		shared := h.createDoc(owner, "Shared guide", "Shared text for the whole frobnicorg.", org)
		if shared.OrganizationId.MustGet().String() != org {
			t.Fatalf("shared: %+v", shared)
		}
		// Sharing needs membership; an unknown organization looks the same.
		for _, o := range []string{other, store.NewID()} {
			if d := h.raw("POST", "/api/knowledge/documents", map[string]any{"title": "x", "content": "y", "organization_id": o}, owner.auth()).
				expect(t, 404).errorBody(t); d.Error != "not_found" {
				t.Fatalf("share with %s: %+v", o, d)
			}
		}
		for _, body := range []map[string]any{
			{"title": " ", "content": "text"}, {"title": "x\u202e", "content": "text"},
			{"title": "x", "content": " \n\t "},
		} {
			h.raw("POST", "/api/knowledge/documents", body, owner.auth()).expect(t, 422)
		}
		h.raw("POST", "/api/knowledge/documents", map[string]any{"title": "x", "content": strings.Repeat("é", 500_001)}, owner.auth()).expect(t, 413)

		if got := docTitles(h.docs(owner.auth(), "")); !slices.Equal(got, []string{"Shared guide", "Private notes"}) {
			t.Errorf("owner lists %q", got)
		}
		if got := docTitles(h.docs(member.auth(), "")); !slices.Equal(got, []string{"Shared guide"}) {
			t.Errorf("member lists %q", got)
		}
		if got := h.docs(outsider.auth(), ""); len(got) != 0 {
			t.Errorf("outsider lists %q", docTitles(got))
		}
		if got := docTitles(h.docs(owner.auth(), "?organization_id="+org)); !slices.Equal(got, []string{"Shared guide"}) {
			t.Errorf("by organization: %q", got)
		}
		h.raw("GET", "/api/knowledge/documents?organization_id="+org, nil, outsider.auth()).expect(t, 404)
		lib := h.docs(outsider.auth(), "?include_library=true&limit=200")
		if len(lib) != 19 || lib[0].Source != api.KnowledgeDocumentResponseSourceLibrary || !lib[0].OwnerUserId.IsNull() {
			t.Fatalf("library: %d documents, first %+v", len(lib), lib[0])
		}
		if page := h.docs(owner.auth(), "?include_library=true&limit=2&offset=1"); len(page) != 2 || page[0].Title != "Private notes" {
			t.Errorf("page: %q", docTitles(page))
		}

		// An API key acts inside its organization: its shared documents only, and creates there.
		key, _ := h.newKey(member, org, []string{"rag:read", "rag:write"})
		h.createDoc(member, "Member private", "Member's own private words.", "")
		if got := docTitles(h.docs(apiKey(key), "")); !slices.Equal(got, []string{"Shared guide"}) {
			t.Errorf("key lists %q", got)
		}
		var viaKey api.KnowledgeDocumentResponse
		h.raw("POST", "/api/knowledge/documents", map[string]any{"title": "By key", "content": "Written by an integration."}, apiKey(key)).
			expect(t, 201).decode(t, &viaKey)
		if viaKey.OrganizationId.MustGet().String() != org {
			t.Errorf("key document not shared with its organization: %+v", viaKey)
		}
		h.raw("POST", "/api/knowledge/documents", map[string]any{"title": "x", "content": "y", "organization_id": other}, apiKey(key)).expect(t, 404)
		readOnly, _ := h.newKey(member, org, []string{"rag:read"})
		h.raw("POST", "/api/knowledge/documents", map[string]any{"title": "x", "content": "y"}, apiKey(readOnly)).expect(t, 403)

		// Deleting: the library never; outsiders 404; members 403; owner and org admins may.
		h.raw("DELETE", "/api/knowledge/documents/"+lib[0].Id.String(), nil, admin.auth()).expect(t, 403)
		h.raw("DELETE", "/api/knowledge/documents/"+private.Id.String(), nil, member.auth()).expect(t, 404)
		h.raw("DELETE", "/api/knowledge/documents/"+private.Id.String(), nil, admin.auth()).expect(t, 404)
		h.raw("DELETE", "/api/knowledge/documents/"+shared.Id.String(), nil, outsider.auth()).expect(t, 404)
		h.raw("DELETE", "/api/knowledge/documents/"+shared.Id.String(), nil, member.auth()).expect(t, 403)
		h.raw("DELETE", "/api/knowledge/documents/"+store.NewID(), nil, owner.auth()).expect(t, 404)
		h.raw("DELETE", "/api/knowledge/documents/"+viaKey.Id.String(), nil, admin.auth()).expect(t, 204)
		ownerKey, _ := h.newKey(owner, org, []string{"rag:write"})
		h.raw("DELETE", "/api/knowledge/documents/"+private.Id.String(), nil, apiKey(ownerKey)).expect(t, 404) // keys never see private ones
		if n := h.countRows("search_entries", "document_id = ?", shared.Id.String()); n != 1 {
			t.Fatalf("%d entries before delete", n)
		}
		h.raw("DELETE", "/api/knowledge/documents/"+shared.Id.String(), nil, owner.auth()).expect(t, 204)
		h.raw("DELETE", "/api/knowledge/documents/"+private.Id.String(), nil, owner.auth()).expect(t, 204)
		h.raw("DELETE", "/api/knowledge/documents/"+private.Id.String(), nil, owner.auth()).expect(t, 404)
		if n := h.countRows("search_entries", "document_id IN (?, ?)", shared.Id.String(), private.Id.String()); n != 0 {
			t.Errorf("%d index entries left after delete", n)
		}
		if hits := h.ksearch(owner.auth(), "plonkwordverbs frobnicorg"); len(hits) != 0 {
			t.Errorf("deleted documents still found: %q", hitTitles(hits))
		}
		h.ftsIntact()
	})
}

// canaryWords are unique words planted in one user's content; no other user may ever get them back.
const (
	canaryPrivate    = "zorblaxprivate"
	canaryShared     = "quintessashared"
	canaryTranscript = "glimmerwomptranscript"
	canaryMessage    = "snorkelvexmessage"
	canaryTitle      = "bramblequixtitle"
)

// TestKnowledgePrivacy: another user's private documents, transcripts, conversations and
// messages never appear in
// knowledge hits, RAG sources, document lists or content search; org-shared documents reach
// members only, and a member who leaves loses them at once; a deleted organization's documents
// become private to their owners.
func TestKnowledgePrivacy(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.loadLibrary()
		h.clock.Freeze(at("2026-05-01T12:00:00Z"))
		victim, member, stranger := h.newUser("pv_victim"), h.newUser("pv_member"), h.newUser("pv_stranger")
		org := h.createOrg(victim, "Canary Org").Id.String()
		h.addMember(victim, org, member, "member", "")
		strangerOrg := h.createOrg(stranger, "Stranger Org").Id.String()
		h.createDoc(victim, "Diary "+canaryPrivate, "# Secret\n\nMy "+canaryPrivate+" secret about the present perfect.", "")
		h.createDoc(victim, "Team page", "Team notes: "+canaryShared+" and the present perfect.", org)
		start := at("2026-05-01T10:00:00Z")
		h.raw("POST", "/api/live/transcripts", transcriptBody(start, "", turn("user", "I said "+canaryTranscript+" today", start.Add(time.Second))), victim.auth()).expect(t, 201)
		conv := h.createConversation(victim, map[string]any{"title": "Plans " + canaryTitle})
		h.chatOK(victim, map[string]any{"message": "What does " + canaryMessage + " mean?", "conversation_id": conv.Id})

		memberKey, _ := h.newKey(member, org, []string{"rag:read", "conversations:read"})
		strangerKey, _ := h.newKey(stranger, strangerOrg, []string{"rag:read", "conversations:read"})
		all := []string{canaryPrivate, canaryShared, canaryTranscript, canaryMessage, canaryTitle}
		queries := append(slices.Clone(all), "present perfect secret "+strings.Join(all, " "))
		// leaks reports which canaries a caller can get back through any search or listing.
		leaks := func(t *testing.T, cred header) []string {
			t.Helper()
			var bodies []string
			for _, q := range queries {
				bodies = append(bodies,
					string(h.raw("POST", "/api/knowledge/search", map[string]any{"query": q, "limit": 50}, cred).expect(t, 200).Body),
					string(h.raw("POST", "/api/rag/query", map[string]any{"query": q, "limit": 20}, cred).expect(t, 200).Body),
					string(h.raw("GET", "/api/core/search?limit=100&q="+urlQuery(q), nil, cred).expect(t, 200).Body))
			}
			bodies = append(bodies, string(h.raw("GET", "/api/knowledge/documents?include_library=true&limit=200", nil, cred).expect(t, 200).Body))
			joined := strings.Join(bodies, "\n")
			var found []string
			for _, c := range all {
				if strings.Contains(joined, c) {
					found = append(found, c)
				}
			}
			return found
		}
		if got := leaks(t, stranger.auth()); got != nil {
			t.Errorf("stranger sees %q", got)
		}
		if got := leaks(t, apiKey(strangerKey)); got != nil {
			t.Errorf("stranger's key sees %q", got)
		}
		if got := leaks(t, member.auth()); !slices.Equal(got, []string{canaryShared}) {
			t.Errorf("member sees %q, want the shared document only", got)
		}
		if got := leaks(t, apiKey(memberKey)); !slices.Equal(got, []string{canaryShared}) {
			t.Errorf("member's key sees %q", got)
		}
		// Content search is the caller's own content: the shared document is not the member's.
		if hits := h.csearch(member.auth(), canaryShared); len(hits) != 0 {
			t.Errorf("member's content search finds %v", hits)
		}
		if got := leaks(t, victim.auth()); len(got) != len(all) {
			t.Errorf("owner sees only %q", got)
		}
		victimHits := h.csearch(victim.auth(), queries[len(queries)-1], "&limit=100")
		kinds := pluck(victimHits, func(r api.SearchResult) string { return string(r.Type) })
		for _, k := range []string{"transcript", "document", "conversation", "message"} {
			if !slices.Contains(kinds, k) {
				t.Errorf("owner's content search lacks a %s: %v", k, kinds)
			}
		}
		// Leaving ends access at once (membership is read by every query).
		h.raw("DELETE", orgPath(org, "/members/", member.ID), nil, victim.auth()).expect(t, 204)
		if got := leaks(t, member.auth()); got != nil {
			t.Errorf("member who left sees %q", got)
		}
		// A deleted organization's documents stay their owner's, private.
		h.addMember(victim, org, stranger, "member", "")
		if got := leaks(t, stranger.auth()); !slices.Equal(got, []string{canaryShared}) {
			t.Fatalf("new member sees %q", got)
		}
		h.raw("DELETE", "/api/organizations/"+org, nil, victim.auth()).expect(t, 204)
		if got := leaks(t, stranger.auth()); got != nil {
			t.Errorf("after the organization was deleted, a former member sees %q", got)
		}
		if got := leaks(t, victim.auth()); len(got) != len(all) {
			t.Errorf("after the organization was deleted, the owner sees only %q", got)
		}
		h.ftsIntact()
	})
}

// rankingCorpus is a fixed set of documents; rankingQueries name the document each query must
// find first, on both databases.
var rankingCorpus = [][2]string{
	{"Refund policy", "Refunds are possible within 30 days of purchase. To ask for a refund, contact support with your order number."},
	{"Shipping times", "Orders ship within two business days. International delivery takes one to three weeks; support can track a parcel."},
	{"Password reset", "To reset a forgotten password, open the login page and choose Forgot password. The reset link expires after one hour."},
	{"Marathon training", "Training for a marathon takes months. Start with short runs, rest well, and add distance slowly every week."},
	{"Sourdough bread", "Sourdough bread rises with a starter of flour and water. Bake it in a very hot oven for a crisp crust."},
	{"Photosynthesis", "Plants turn sunlight, water and carbon dioxide into sugar and oxygen in their leaves."},
	{"Volcanoes", "Magma rises through the crust and erupts as lava; ash clouds from an eruption can ground flights for days."},
	{"Invoices", "Invoices are emailed every month. A billing address can be changed in the account settings; orders list their invoice."},
	{"Team meetings", "The team meets every Monday to plan the week. Notes of each meeting are shared afterwards."},
	{"Chess openings", "The Sicilian Defence and the Queen's Gambit are popular chess openings; a gambit offers a pawn for the initiative."},
	{"Holiday schedule", "The office closes on public holidays. Support answers emails on the next working day."},
	{"Data privacy", "Personal data is encrypted at rest and never sold. Users may ask for their data to be deleted."},
}

var rankingQueries = []struct{ query, top string }{
	{"how do I get a refund?", "Refund policy"},
	{"international delivery", "Shipping times"},
	{"I forgot my password", "Password reset"},
	{"running", "Marathon training"}, // stemming: "running" finds "runs"
	{"baking bread", "Sourdough bread"},
	{"plants and sunlight", "Photosynthesis"},
	{"lava erupted", "Volcanoes"},
	{"change billing addresses", "Invoices"},
	{"weekly meetings", "Team meetings"},
	{"queen's gambit", "Chess openings"},
	{"is my personal data encrypted", "Data privacy"},
	{"support on holidays", "Holiday schedule"},
}

// TestKnowledgeRanking: on a fixed corpus the expected document is the top hit for each query,
// on both databases; stemming works both ways.
func TestKnowledgeRanking(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("rank")
		for _, d := range rankingCorpus {
			h.createDoc(u, d[0], d[1], "")
		}
		for _, q := range rankingQueries {
			hits := h.ksearch(u.auth(), q.query)
			if len(hits) == 0 || hits[0].Title != q.top {
				t.Errorf("%q: top hits %q, want %q first", q.query, hitTitles(hits), q.top)
				continue
			}
			if !strings.Contains(hits[0].Snippet, "<mark>") && q.query != "queen's gambit" {
				t.Errorf("%q: snippet without a highlight: %s", q.query, hits[0].Snippet)
			}
			for i := 1; i < len(hits); i++ {
				if hits[i].Score > hits[i-1].Score {
					t.Errorf("%q: scores not descending: %v", q.query, hits)
				}
			}
			if c := h.csearch(u.auth(), q.query); len(c) == 0 || c[0].Title != q.top || c[0].Type != api.SearchContentTypeDocument {
				t.Errorf("content search %q: %+v", q.query, c)
			}
		}
		if hits := h.ksearch(u.auth(), "runner"); len(hits) != 0 {
			t.Errorf("runner: %q", hitTitles(hits)) // a different stem: not a match
		}
		if hits := h.ksearch(u.auth(), "RUNS"); len(hits) != 1 || hits[0].Title != "Marathon training" {
			t.Errorf("RUNS: %q", hitTitles(hits))
		}
		if hits := h.ksearch(u.auth(), "the of and"); len(hits) != 0 {
			t.Errorf("stop words only: %q", hitTitles(hits))
		}
		if hits := h.ksearch(u.auth(), "refund", map[string]any{"limit": 1}); len(hits) != 1 {
			t.Errorf("limit 1: %d hits", len(hits))
		}
	})
}

// hostileQueries are search texts that would be syntax if passed to either database raw.
var hostileQueries = []string{
	`"`, `""`, `"unbalanced`, `'`, `''; DROP TABLE search_entries; --`, `NEAR(refund password)`, `NEAR/2`, `refund*`, `*`,
	`-refund`, `refund -password`, `title:refund`, `search_fts:x`, `a:b:c`, `(refund`, `)`, `refund AND`, `OR`, `NOT refund`,
	`AND OR NOT NEAR`, `^refund`, `{title body}: refund`, `refund & password | !x`, `refund <-> password`, `!!`, `:*`,
	`'refund':*`, `\`, `\\'`, `%`, `_`, `$1`, `?`, "🎉🔥💥", "refund 🎉", "ref\u200bund", "\u202eoverride", "日本語",
	"tab\tand\nnewline", "café", strings.Repeat("(", 400), strings.Repeat("refund ", 250), strings.Repeat("x", 1999),
}

// TestHostileQueries: operators, quotes, control and non-Latin text, emoji, huge and NUL queries
// never give 5xx (the harness fails any): 200, or 400 for what the schema refuses.
func TestHostileQueries(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.loadLibrary()
		u := h.newUser("hostile")
		h.createDoc(u, "Refund policy", rankingCorpus[0][1], "")
		for _, q := range hostileQueries {
			h.ksearch(u.auth(), q)
			h.raw("POST", "/api/rag/query", map[string]any{"query": q}, u.auth()).expect(t, 200)
			if len(q) <= 500 {
				h.csearch(u.auth(), q)
			}
		}
		if hits := h.ksearch(u.auth(), `"refund" OR NEAR(x*)`); len(hits) == 0 || hits[0].Title != "Refund policy" {
			t.Errorf("operators are words: %q", hitTitles(hits))
		}
		huge := strings.Repeat("refund ", 1500) // 10 kB
		for _, r := range []resp{
			h.raw("POST", "/api/knowledge/search", map[string]any{"query": huge}, u.auth()),
			h.raw("POST", "/api/rag/query", map[string]any{"query": huge}, u.auth()),
			h.raw("GET", "/api/core/search?q="+urlQuery(huge), nil, u.auth()),
			h.raw("POST", "/api/knowledge/search", map[string]any{"query": "a\x00b"}, u.auth()),
			h.raw("GET", "/api/core/search?q=a%00b", nil, u.auth()),
			h.raw("GET", "/api/core/search?q=%FF%FE", nil, u.auth()),
			h.raw("POST", "/api/knowledge/search", map[string]any{"query": ""}, u.auth()),
		} {
			if r.Status != 400 || r.errorBody(t).Error != "validation_error" {
				t.Errorf("%d %s", r.Status, r.Body)
			}
		}
	})
}

// upload sends a multipart document upload; parts are name → (filename, content type, data).
func (h *harness) upload(cred header, parts []part) resp {
	h.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range parts {
		hd := textproto.MIMEHeader{}
		disp := fmt.Sprintf(`form-data; name=%q`, p.name)
		if p.filename != "" {
			disp += fmt.Sprintf(`; filename=%q`, p.filename)
		}
		hd.Set("Content-Disposition", disp)
		if p.ctype != "" {
			hd.Set("Content-Type", p.ctype)
		}
		pw, err := w.CreatePart(hd)
		if err != nil {
			h.t.Fatal(err)
		}
		pw.Write(p.data)
	}
	w.Close()
	return h.send("POST", "/api/knowledge/documents", w.FormDataContentType(), buf.Bytes(), cred)
}

type part struct {
	name, filename, ctype string
	data                  []byte
}

func filePart(name string, data string) part {
	return part{name: "file", filename: name, ctype: "application/octet-stream", data: []byte(data)}
}

// send is a request with a body of the given content type.
func (h *harness) send(method, path, ctype string, body []byte, cred header) resp {
	h.t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.RemoteAddr = ""
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set(cred.k, cred.v)
	res, _ := h.Do(req)
	b := new(bytes.Buffer)
	b.ReadFrom(res.Body)
	return resp{Status: res.StatusCode, Header: res.Header, Body: b.Bytes()}
}

// TestDocumentUpload: .txt and .md uploads are stored and chunked (a large one too); the size
// limit, wrong types, invalid UTF-8, NUL and malformed uploads are clear 4xx.
func TestDocumentUpload(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("upload")
		org := h.createOrg(u, "Upload Org").Id.String()
		var d api.KnowledgeDocumentResponse
		h.upload(u.auth(), []part{filePart("Week 1 notes.md", "\uFEFF# Week one\r\n\r\nWe practised the zyxwordupload tense.\r\n")}).expect(t, 201).decode(t, &d)
		if d.Title != "Week 1 notes" || d.ContentType != api.Textmarkdown || d.ChunkCount != 1 || d.SizeBytes != len("# Week one\n\nWe practised the zyxwordupload tense.\n") {
			t.Fatalf("md upload: %+v", d)
		}
		if hits := h.ksearch(u.auth(), "zyxwordupload"); len(hits) != 1 || hits[0].Heading != "Week one" {
			t.Fatalf("uploaded text not found: %+v", hits)
		}
		h.upload(u.auth(), []part{{name: "title", data: []byte("Named")}, {name: "organization_id", data: []byte(org)},
			{name: "file", filename: "x.TXT", ctype: "text/plain; charset=utf-8", data: []byte("plain text")}}).expect(t, 201).decode(t, &d)
		if d.Title != "Named" || d.ContentType != api.Textplain || d.OrganizationId.MustGet().String() != org {
			t.Fatalf("txt upload: %+v", d)
		}
		// A large but allowed file (just under 1,000,000 bytes) is chunked within the bounds.
		var big strings.Builder
		for i := 0; big.Len() < 990_000; i++ {
			fmt.Fprintf(&big, "## Section %d\n\nParagraph %d says something about verbs and tenses in English. ", i, i)
			big.WriteString(strings.Repeat("More words follow here. ", 40) + "\n\n")
		}
		h.upload(u.auth(), []part{filePart("big.md", big.String())}).expect(t, 201).decode(t, &d)
		if d.ChunkCount < 900 || d.SizeBytes != big.Len() {
			t.Fatalf("big upload: %+v", d)
		}
		if n := h.countRows("search_entries", "document_id = ? AND length(body) > 1500", d.Id.String()); n != 0 {
			t.Errorf("%d chunks over 1,500 bytes", n)
		}
		for _, tc := range []struct {
			name   string
			parts  []part
			status int
			code   string
		}{
			{"too large", []part{filePart("a.md", strings.Repeat("a", 1_000_001))}, 413, "document_too_large"},
			{"wrong extension", []part{filePart("a.pdf", "text")}, 415, "unsupported_file_type"},
			{"no extension", []part{filePart("README", "text")}, 415, "unsupported_file_type"},
			{"wrong part type", []part{{name: "file", filename: "a.md", ctype: "image/png", data: []byte("x")}}, 415, "unsupported_file_type"},
			{"invalid UTF-8", []part{filePart("a.txt", "caf\xe9 latin-1")}, 422, "invalid_encoding"},
			{"NUL", []part{filePart("a.txt", "a\x00b")}, 422, "invalid_encoding"},
			{"empty", []part{filePart("a.md", "")}, 422, "empty_document"},
			{"blank", []part{filePart("a.md", " \n\n ")}, 422, "empty_document"},
			{"no file", []part{{name: "title", data: []byte("x")}}, 400, "validation_error"},
			{"two files", []part{filePart("a.md", "x"), filePart("b.md", "y")}, 400, "validation_error"},
			{"unknown field", []part{filePart("a.md", "x"), {name: "owner", data: []byte("me")}}, 400, "validation_error"},
			{"bad organization", []part{filePart("a.md", "x"), {name: "organization_id", data: []byte("nope")}}, 400, "validation_error"},
			{"foreign organization", []part{filePart("a.md", "x"), {name: "organization_id", data: []byte(store.NewID())}}, 404, "not_found"},
			{"long title", []part{filePart("a.md", "x"), {name: "title", data: []byte(strings.Repeat("t", 201))}}, 400, "validation_error"},
			{"blank title", []part{filePart("a.md", "x"), {name: "title", data: []byte("  ")}}, 422, "invalid_title"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if d := h.upload(u.auth(), tc.parts).expect(t, tc.status).errorBody(t); d.Error != tc.code {
					t.Errorf("code %s, want %s", d.Error, tc.code)
				}
			})
		}
		// Bodies: over the upload limit (413 before reading), not multipart, broken multipart.
		for _, tc := range []struct {
			name, ctype string
			body        []byte
			status      int
		}{
			{"body over the limit", "multipart/form-data; boundary=x", bytes.Repeat([]byte("a"), 3<<20), 413},
			{"text/plain", "text/plain", []byte("hello"), 415},
			{"no boundary", "multipart/form-data", []byte("--x\r\n"), 400},
			{"garbage", "multipart/form-data; boundary=x", []byte("not multipart at all"), 400},
			{"cut short", "multipart/form-data; boundary=x", []byte("--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.md\"\r\n\r\nabc"), 400},
			{"bad media type", "multipart/form-data; boundary", []byte("x"), 415},
		} {
			t.Run(tc.name, func(t *testing.T) {
				h.send("POST", "/api/knowledge/documents", tc.ctype, tc.body, u.auth()).expect(t, tc.status).errorBody(t)
			})
		}
		// A streamed body (no Content-Length) is cut at the limit while the handler reads it.
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", "huge.md")
		fw.Write(bytes.Repeat([]byte("word "), 500_000))
		mw.Close()
		req := httptest.NewRequest("POST", "/api/knowledge/documents", io.MultiReader(&buf))
		req.ContentLength = -1
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+u.Access)
		res, _ := h.Do(req)
		if res.StatusCode != 413 {
			t.Errorf("streamed oversized upload: %d", res.StatusCode)
		}
		// Uploads authenticate before anything else: no credentials is 401.
		h.send("POST", "/api/knowledge/documents", "multipart/form-data; boundary=x", []byte("--x--"), header{"X-Nothing", ""}).expect(t, 401)
		docs := h.docs(u.auth(), "")
		if len(docs) != 3 {
			t.Errorf("%d documents after the refused uploads, want 3", len(docs))
		}
		h.ftsIntact()
	})
}

// TestLibraryLoad: the study library loads idempotently (a restart writes nothing, two replicas
// starting together load it once), a changed note is re-chunked under the same id, a note no
// longer shipped is removed; every user can search it.
func TestLibraryLoad(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		other := h.replica()
		var wg sync.WaitGroup
		for _, r := range []*harness{h, other, h, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := server.LoadLibrary(ctx, r.store, r.log); err != nil {
					t.Errorf("load: %v", err)
				}
			}()
		}
		wg.Wait()
		docs := h.countRows("knowledge_documents", "slug IS NOT NULL")
		entries := h.countRows("search_entries", "owner_user_id IS NULL")
		if docs != 19 || entries < 300 {
			t.Fatalf("%d library documents, %d entries", docs, entries)
		}
		u := h.newUser("lib")
		lib := h.docs(u.auth(), "?include_library=true&limit=200")
		ids := map[string]string{}
		for _, d := range lib {
			ids[d.Title] = d.Id.String()
		}
		// A restart with nothing changed writes nothing.
		h.logs = &syncBuffer{}
		h.loadLibrary()
		if h.countRows("search_entries", "owner_user_id IS NULL") != entries {
			t.Fatal("a second load changed the index")
		}
		// A changed checksum re-chunks under the same id; an unknown slug is removed.
		db := h.store.DB(ctx)
		if err := db.Exec("UPDATE knowledge_documents SET checksum = 'old' WHERE slug = 'conditionals'").Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Exec("DELETE FROM search_entries WHERE document_id = (SELECT id FROM knowledge_documents WHERE slug = 'conditionals')").Error; err != nil {
			t.Fatal(err)
		}
		gone := &store.KnowledgeDocument{Title: "Withdrawn note", Content: "withdrawnnoteword", ContentType: store.ContentMarkdown}
		slug, sum := "withdrawn", "x"
		gone.Slug, gone.Checksum = &slug, &sum
		if err := h.store.CreateKnowledgeDocument(ctx, gone, []store.DocumentChunk{{Text: "withdrawnnoteword"}}); err != nil {
			t.Fatal(err)
		}
		h.loadLibrary()
		if h.countRows("knowledge_documents", "slug IS NOT NULL") != 19 || h.countRows("search_entries", "owner_user_id IS NULL") != entries {
			t.Error("the library was not restored")
		}
		hits := h.ksearch(u.auth(), "second conditional")
		if len(hits) == 0 || hits[0].DocumentId.String() != ids["Conditionals"] {
			t.Errorf("conditionals: %q (want the same document id)", hitTitles(hits))
		}
		if hits := h.ksearch(u.auth(), "withdrawnnoteword"); len(hits) != 0 {
			t.Error("a removed note is still found")
		}
		slugs, err := h.store.LibrarySlugs(ctx)
		if err != nil || len(slugs) != 19 || slugs[0] != "articles" {
			t.Errorf("slugs %q, %v", slugs, err)
		}
		// What a fresh install can find.
		for q, title := range map[string]string{
			"present perfect since": "Present perfect and past simple", "reported speech backshift": "Reported speech",
			"phrasal verbs": "Phrasal verbs", "countable uncountable nouns": "Countable and uncountable nouns and quantifiers",
		} {
			if hits := h.ksearch(u.auth(), q); len(hits) == 0 || hits[0].Title != title {
				t.Errorf("%q: %q, want %q", q, hitTitles(hits)[:min(3, len(hits))], title)
			}
		}
		h.ftsIntact()
	})
}

// TestContentSearch: the caller's own documents and transcripts, one hit per object, filtered
// by type, titled; other users' never.
func TestContentSearch(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.loadLibrary()
		h.clock.Freeze(at("2026-03-10T12:00:00Z"))
		u, other := h.newUser("cs"), h.newUser("cs_other")
		start := at("2026-03-10T09:30:00Z")
		h.raw("POST", "/api/live/transcripts", transcriptBody(start, "",
			turn("ai", "Tell me about your favourite hobby.", start.Add(time.Second)),
			turn("user", "I love climbing mountains and climbing walls.", start.Add(5*time.Second)),
			turn("ai", "Climbing sounds exciting!", start.Add(9*time.Second))), u.auth()).expect(t, 201)
		h.raw("POST", "/api/live/transcripts", transcriptBody(start, "", turn("user", "climbing is my thing too", start.Add(time.Second))), other.auth()).expect(t, 201)
		var long strings.Builder
		for i := range 20 {
			fmt.Fprintf(&long, "## Part %d\n\n%s\n\n", i, strings.Repeat("Climbing gear and ropes matter. ", 30))
		}
		doc := h.createDoc(u, "Climbing guide", long.String(), "")
		h.createDoc(other, "Their climbing", "climbing climbing climbing", "")

		hits := h.csearch(u.auth(), "climbing")
		if len(hits) != 2 {
			t.Fatalf("%d hits, want one per object: %+v", len(hits), hits)
		}
		byType := map[api.SearchContentType]api.SearchResult{}
		for _, r := range hits {
			byType[r.Type] = r
		}
		tr, d := byType[api.SearchContentTypeTranscript], byType[api.SearchContentTypeDocument]
		if tr.Title != "Live session of 10 March 2026, 09:30 UTC" || !strings.Contains(tr.Snippet, "<mark>climbing</mark>") ||
			!tr.CreatedAt.Equal(at("2026-03-10T12:00:00Z")) {
			t.Errorf("transcript hit: %+v", tr)
		}
		if d.Id != doc.Id || d.Title != "Climbing guide" || !strings.Contains(d.Snippet, "<mark>Climbing</mark>") {
			t.Errorf("document hit: %+v", d)
		}
		if got := h.csearch(u.auth(), "climbing", "&types=transcript"); len(got) != 1 || got[0].Type != api.SearchContentTypeTranscript {
			t.Errorf("types=transcript: %+v", got)
		}
		if got := h.csearch(u.auth(), "climbing", "&types=document,document"); len(got) != 1 || got[0].Type != api.SearchContentTypeDocument {
			t.Errorf("types=document: %+v", got)
		}
		if got := h.csearch(u.auth(), "climbing", "&types=message,conversation"); len(got) != 0 {
			t.Errorf("types=message: %+v", got)
		}
		if got := h.csearch(u.auth(), "climbing", "&limit=1"); len(got) != 1 {
			t.Errorf("limit=1: %+v", got)
		}
		if got := h.csearch(u.auth(), "second conditional"); len(got) != 0 {
			t.Errorf("the library is not the user's content: %+v", got)
		}
		h.raw("GET", "/api/core/search?q=x&types=bogus", nil, u.auth()).expect(t, 400)
		h.raw("GET", "/api/core/search?q=x&limit=101", nil, u.auth()).expect(t, 400)
		h.raw("GET", "/api/core/search", nil, u.auth()).expect(t, 400)
		// Transcripts and documents need the scopes of their own routes too
		// (TestContentSearchHonoursKeyScopes).
		key, _ := h.newKey(u, h.createOrg(u, "CS Org").Id.String(), []string{"conversations:read", "live:read", "rag:read"})
		if got := h.csearch(apiKey(key), "climbing"); len(got) != 1 || got[0].Type != api.SearchContentTypeTranscript {
			t.Errorf("a key finds its user's transcripts, not private documents: %+v", got)
		}
		h.ftsIntact()
	})
}

// TestContentSearchConversations: conversation titles and user and assistant messages are in
// the caller's content search (indexed by triggers in the writing transaction, the title
// again when the first message names the conversation), with their conversation; deleting a
// conversation or the user removes their entries; nobody else finds them.
func TestContentSearchConversations(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u, other := h.newUser("csc"), h.newUser("csc_other")
		titled := h.createConversation(u, map[string]any{"title": "Lisbon trip vocabulary"})
		h.chatOK(u, map[string]any{"message": "What does quixotically mean?", "conversation_id": titled.Id})
		untitled := h.createConversation(u, nil)
		h.chatOK(u, map[string]any{"message": "Explain the zeugmatic present perfect", "conversation_id": untitled.Id})
		theirs := h.createConversation(other, nil)
		h.chatOK(other, map[string]any{"message": "What does quixotically mean?", "conversation_id": theirs.Id})

		hits := h.csearch(u.auth(), "Lisbon")
		if len(hits) != 1 || hits[0].Type != api.SearchContentTypeConversation || hits[0].Id != titled.Id || hits[0].Title != "Lisbon trip vocabulary" ||
			hits[0].ConversationId.MustGet() != titled.Id || !strings.Contains(hits[0].Snippet, "<mark>Lisbon</mark>") {
			t.Fatalf("title hit: %+v", hits)
		}
		// The question and the tutor's reply (which repeats the word) are two messages, one hit each.
		hits = h.csearch(u.auth(), "quixotically", "&types=message")
		ms := h.messages(u, titled.Id.String(), "")
		if len(hits) != 2 || !slices.ContainsFunc(hits, func(r api.SearchResult) bool { return r.Id == ms[0].Id }) {
			t.Fatalf("message hits: %+v", hits)
		}
		for _, r := range hits {
			if r.Type != api.SearchContentTypeMessage || r.ConversationId.MustGet() != titled.Id || r.Title != "Lisbon trip vocabulary" {
				t.Errorf("message hit: %+v", r)
			}
		}
		// The first message named the untitled conversation: its new title is searchable.
		named := h.conversations(u, "")
		var title string
		for _, c := range named {
			if c.Id == untitled.Id {
				title = c.Title
			}
		}
		hits = h.csearch(u.auth(), "zeugmatic", "&types=conversation")
		if len(hits) != 1 || hits[0].Id != untitled.Id || hits[0].Title != title || !strings.Contains(title, "zeugmatic") {
			t.Errorf("title from chat %q: %+v", title, hits)
		}
		if got := h.csearch(other.auth(), "Lisbon zeugmatic"); len(got) != 0 {
			t.Errorf("another user finds %+v", got)
		}
		got := h.csearch(other.auth(), "quixotically")
		if len(got) != 3 { // their conversation (named by the message), the message and the reply
			t.Errorf("the other user's own content: %+v", got)
		}
		for _, r := range got {
			if r.ConversationId.MustGet() != theirs.Id {
				t.Errorf("the other user finds %+v", r)
			}
		}
		h.raw("DELETE", convPath(titled.Id.String()), nil, u.auth()).expect(t, 204)
		if n := h.countRows("search_entries", "conversation_id = ?", titled.Id.String()); n != 0 {
			t.Errorf("%d entries left of a deleted conversation", n)
		}
		if got := h.csearch(u.auth(), "Lisbon quixotically"); len(got) != 0 {
			t.Errorf("deleted conversation still found: %+v", got)
		}
		h.ftsIntact()
		if err := h.store.DeleteUser(context.Background(), u.ID); err != nil {
			t.Fatal(err)
		}
		if n := h.countRows("search_entries", "owner_user_id = ?", u.ID); n != 0 {
			t.Errorf("%d entries left of a deleted user", n)
		}
		h.ftsIntact()
	})
}

// TestChatUsesKnowledge: POST /api/core/chat with the offline tutor answers a grammar question
// from the shipped notes, and a question about a word from the caller's own document, never
// from another user's.
func TestChatUsesKnowledge(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.loadLibrary()
		u, other := h.newUser("chat_kb"), h.newUser("chat_kb_other")
		h.createDoc(u, "My word list", "Flurbometry is the careful measuring of flurbs.", "")
		grammar := h.chatOK(other, map[string]any{"message": "Can you explain the present perfect?", "provider": "offline"})
		if !strings.Contains(grammar.Content, "Xentree study library") || !strings.Contains(grammar.Content, "**Present perfect") {
			t.Errorf("grammar answer not from the notes:\n%s", grammar.Content)
		}
		own := h.chatOK(u, map[string]any{"message": "What does flurbometry mean?", "provider": "offline"})
		if !strings.Contains(own.Content, "careful measuring of flurbs") || !strings.Contains(own.Content, "My word list") {
			t.Errorf("owner's answer does not use their document:\n%s", own.Content)
		}
		theirs := h.chatOK(other, map[string]any{"message": "What does flurbometry mean?", "provider": "offline"})
		if strings.Contains(theirs.Content, "flurbs") || strings.Contains(theirs.Content, "My word list") {
			t.Errorf("another user's document reached the answer:\n%s", theirs.Content)
		}
		// An API key acts inside its organization: the owner's private document stays out of
		// its chats, as it does of its knowledge searches.
		org := h.createOrg(u, "Flurb Org")
		key, _ := h.newKey(u, org.Id.String(), []string{"conversations:write"})
		var viaKey api.ChatResponse
		h.raw("POST", "/api/core/chat", map[string]any{"message": "What does flurbometry mean?", "provider": "offline"}, apiKey(key)).
			expect(t, 200).decode(t, &viaKey)
		if strings.Contains(viaKey.Content, "flurbs") || strings.Contains(viaKey.Content, "My word list") {
			t.Errorf("an API key's chat used the owner's private document:\n%s", viaKey.Content)
		}
	})
}

// TestMigrationIndexesConversations: conversations and messages stored before migration 00006
// are in content search after it.
func TestMigrationIndexesConversations(t *testing.T) {
	for _, kind := range dbKinds {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			st, err := store.Open(ctx, databaseURL(t, kind), quietLogger())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = st.Close() })
			if err := st.MigrateTo(ctx, 5); err != nil {
				t.Fatal(err)
			}
			u := &store.User{Username: "old_chatter", Email: "old_chatter@example.com", PasswordHash: "x"}
			if err := st.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			c := &store.Conversation{UserID: u.ID, Title: "Old pelicanesque chat", Provider: "auto"}
			if err := st.CreateConversation(ctx, c); err != nil {
				t.Fatal(err)
			}
			if err := st.AppendMessages(ctx, c.ID, u.ID, "", []store.ConversationMessage{
				{Role: "user", Content: "tell me about marmalade"}, {Role: "assistant", Content: "Marmalade is a jam."}}); err != nil {
				t.Fatal(err)
			}
			if err := st.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			hits, err := st.SearchContent(ctx, store.ContentQuery{UserID: u.ID, Terms: []string{"pelicanesque", "marmalade"}, Limit: 10})
			if err != nil || len(hits) != 3 {
				t.Fatalf("after the migration: %+v, %v", hits, err)
			}
		})
	}
}
