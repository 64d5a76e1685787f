// Package search holds the database-independent rules of full-text search: how a user's query
// becomes plain search terms (never search syntax), how a term is quoted for SQLite FTS5, and
// how the highlight markers the databases put into snippets become the API's HTML-safe
// snippets. The SQL itself, one form per database, lives in the store.
package search

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bounds of a query.
const (
	// MaxTerms is how many distinct terms of a query are searched; the rest are ignored.
	MaxTerms = 32
	// MaxTermBytes drops longer "words": neither database indexes them (PostgreSQL stops at
	// 2,047 bytes), and nothing real is that long.
	MaxTermBytes = 100
)

// Terms reads q as plain words: runs of letters, digits and combining marks, lower-cased; all
// else (punctuation, quotes, operators such as NEAR, *, -, :, parentheses, emoji, control
// characters, invalid UTF-8) separates words. English stop words (PostgreSQL's english list,
// which its index leaves out) are dropped, so both databases search the same words, as are
// duplicates and words over MaxTermBytes. At most max terms are kept (MaxTerms when max <= 0),
// in order of first appearance. AND, OR and NOT are words like any other.
func Terms(q string, max int) []string {
	if max <= 0 || max > MaxTerms {
		max = MaxTerms
	}
	var out []string
	for w := range strings.FieldsFuncSeq(q, func(r rune) bool { return !isWordRune(r) }) {
		w = strings.ToLower(w)
		if len(w) > MaxTermBytes || stopWords[w] || contains(out, w) {
			continue
		}
		if out = append(out, w); len(out) == max {
			break
		}
	}
	return out
}

func isWordRune(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r))
}

func contains(ws []string, w string) bool {
	for _, x := range ws {
		if x == w {
			return true
		}
	}
	return false
}

// FTS5Query is terms as an SQLite FTS5 query matching any of them: each term a quoted string
// (quotes doubled), joined by OR. Terms come from Terms, so the quoting is belt and braces.
func FTS5Query(terms []string) string {
	var b strings.Builder
	for i, t := range terms {
		if i > 0 {
			b.WriteString(" OR ")
		}
		b.WriteString(`"` + strings.ReplaceAll(t, `"`, `""`) + `"`)
	}
	return b.String()
}

// The highlight markers the store asks the databases to put around matches (private-use
// characters, which English text does not contain). Snippet turns them into tags.
const (
	MarkStart = "\uE000"
	MarkEnd   = "\uE001"
)

// Snippet turns a database snippet with MarkStart/MarkEnd around matches into the API's
// HTML-safe form on one line: white space collapsed to single spaces, the text HTML-escaped,
// matches in <mark>...</mark>. Stray markers (should the
// text itself contain those characters) never produce unbalanced or nested tags.
func Snippet(raw string) string {
	raw = strings.Join(strings.Fields(strings.ToValidUTF8(raw, "")), " ")
	var b strings.Builder
	open := false
	for len(raw) > 0 {
		i := strings.IndexAny(raw, MarkStart+MarkEnd)
		if i < 0 {
			b.WriteString(html.EscapeString(raw))
			break
		}
		b.WriteString(html.EscapeString(raw[:i]))
		r, size := utf8.DecodeRuneInString(raw[i:])
		switch {
		case string(r) == MarkStart && !open:
			b.WriteString("<mark>")
			open = true
		case string(r) == MarkEnd && open:
			b.WriteString("</mark>")
			open = false
		}
		raw = raw[i+size:]
	}
	if open {
		b.WriteString("</mark>")
	}
	return strings.ReplaceAll(b.String(), "<mark></mark>", "")
}

// stopWords is PostgreSQL's english stop list (tsearch_data/english.stop, from Snowball).
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
		she her hers herself it its itself they them their theirs themselves what which who whom
		this that these those am is are was were be been being have has had having do does did
		doing a an the and but if or because as until while of at by for with about against
		between into through during before after above below to from up down in out on off over
		under again further then once here there when where why how all any both each few more
		most other some such no nor not only own same so than too very s t can will just don
		should now`) {
		m[w] = true
	}
	return m
}()
