package search

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTerms(t *testing.T) {
	for _, c := range []struct {
		q    string
		max  int
		want []string
	}{
		{"Present perfect", 0, []string{"present", "perfect"}},
		{"the running of THE bulls", 0, []string{"running", "bulls"}},
		{`"quoted" NEAR(a b) x* -y col:z (p OR q) AND NOT r`, 0, []string{"quoted", "near", "b", "x", "y", "col", "z", "p", "q", "r"}},
		{"don't won't", 0, []string{"won"}},
		{"café naïve Straße", 0, []string{"café", "naïve", "straße"}},
		{"emoji 🎉🎉 only", 0, []string{"emoji"}},
		{"🎉 ✨", 0, nil},
		{"the and of", 0, nil},
		{"a\x00b nul\x00byte", 0, []string{"b", "nul", "byte"}},
		{"bad \xff\xfe utf8", 0, []string{"bad", "utf8"}},
		{"one two three four", 2, []string{"one", "two"}},
		{"dup Dup DUP", 0, []string{"dup"}},
		{"x86-64 3.5 co2", 0, []string{"x86", "64", "3", "5", "co2"}},
		{"日本語 テキスト", 0, []string{"日本語", "テキスト"}},
		{strings.Repeat("a", MaxTermBytes+1) + " ok", 0, []string{"ok"}},
	} {
		if got := Terms(c.q, c.max); !slices.Equal(got, c.want) {
			t.Errorf("Terms(%q, %d) = %q, want %q", c.q, c.max, got, c.want)
		}
	}
	many := strings.Repeat("word ", 10_000) + strings.Repeat("x", 10_000)
	for i := range 100 {
		many += " w" + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	if got := Terms(many, 0); len(got) != MaxTerms {
		t.Errorf("%d terms, want %d", len(got), MaxTerms)
	}
}

func TestFTS5Query(t *testing.T) {
	if got := FTS5Query([]string{"run", `a"b`}); got != `"run" OR "a""b"` {
		t.Errorf("got %s", got)
	}
	if got := FTS5Query(nil); got != "" {
		t.Errorf("empty: %q", got)
	}
}

func TestSnippet(t *testing.T) {
	for _, c := range []struct{ raw, want string }{
		{"plain", "plain"},
		{"if x " + MarkStart + "<" + MarkEnd + " 3 & y", "if x <mark>&lt;</mark> 3 &amp; y"},
		{MarkStart + "run" + MarkEnd + "ning " + MarkStart + "fast" + MarkEnd, "<mark>run</mark>ning <mark>fast</mark>"},
		{"stray " + MarkEnd + " end", "stray  end"},
		{"  lines\n\n  and\ttabs ", "lines and tabs"},
		{MarkStart + "open" + MarkStart + " twice", "<mark>open twice</mark>"},
		{"empty " + MarkStart + MarkEnd + "mark", "empty mark"},
		{`"quotes" 'too' <script>`, "&#34;quotes&#34; &#39;too&#39; &lt;script&gt;"},
		{"bad \xff utf8", "bad utf8"},
	} {
		got := Snippet(c.raw)
		if got != c.want {
			t.Errorf("Snippet(%q) = %q, want %q", c.raw, got, c.want)
		}
		if !utf8.ValidString(got) || strings.Count(got, "<mark>") != strings.Count(got, "</mark>") {
			t.Errorf("Snippet(%q) = %q: invalid", c.raw, got)
		}
	}
}

func FuzzSnippet(f *testing.F) {
	f.Add("a " + MarkStart + "b" + MarkEnd + " <c>")
	f.Fuzz(func(t *testing.T, raw string) {
		got := Snippet(raw)
		if strings.ContainsAny(got, "<>") {
			stripped := strings.ReplaceAll(strings.ReplaceAll(got, "<mark>", ""), "</mark>", "")
			if strings.ContainsAny(stripped, "<>") {
				t.Fatalf("Snippet(%q) = %q: unescaped markup", raw, got)
			}
		}
		if strings.Count(got, "<mark>") != strings.Count(got, "</mark>") || strings.Contains(got, "<mark><mark>") {
			t.Fatalf("Snippet(%q) = %q: unbalanced", raw, got)
		}
	})
}

// FuzzTerms: whatever the query, its terms are plain words (letters, digits and combining
// marks, lower-cased, no stop word, no repeat, within the bounds), reading them again gives
// them back, and their FTS5 query is nothing but quoted strings joined by OR that spell them.
func FuzzTerms(f *testing.F) {
	for _, s := range []string{
		`"a" NEAR(b) -c*`, `col:val ^start "" OR AND NOT ()`, "{title heading body} : x", "a\x00b", "\xff\xfe",
		"\u202eevil\u202c", "İstanbul ǅ ß ﬁ", "e\u0301\u0301", "'; DROP TABLE x; --", strings.Repeat("(", 400),
		strings.Repeat("word ", 40), strings.Repeat("é", 60),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		terms := Terms(q, 0)
		if len(terms) > MaxTerms {
			t.Fatalf("Terms(%q): %d terms", q, len(terms))
		}
		for i, term := range terms {
			if term == "" || len(term) > MaxTermBytes || !utf8.ValidString(term) || stopWords[term] || slices.Contains(terms[:i], term) {
				t.Fatalf("Terms(%q) gave %q", q, term)
			}
			for _, r := range term {
				if !isWordRune(r) {
					t.Fatalf("Terms(%q) gave %q holding %U", q, term, r)
				}
			}
		}
		if again := Terms(strings.Join(terms, " "), 0); !slices.Equal(again, terms) {
			t.Fatalf("Terms(%q) = %q, but read again %q", q, terms, again)
		}
		if got, ok := parseFTS5Or(FTS5Query(terms)); !ok || !slices.Equal(got, terms) {
			t.Fatalf("FTS5Query(%q) = %s: not the quoted terms", terms, FTS5Query(terms))
		}
	})
}

// FuzzFTS5Query: any strings (quotes, operators, NUL, invalid UTF-8), not only Terms', come out
// as FTS5 strings that spell them exactly, joined by OR: no syntax escapes the quotes.
func FuzzFTS5Query(f *testing.F) {
	f.Add(`a"b`, `" OR "`)
	f.Add(`""`, `NEAR(x y)`)
	f.Add("\x00", "\xff*")
	f.Fuzz(func(t *testing.T, a, b string) {
		terms := []string{a, b}
		q := FTS5Query(terms)
		if got, ok := parseFTS5Or(q); !ok || !slices.Equal(got, terms) {
			t.Fatalf("FTS5Query(%q) = %s: read back as %q", terms, q, got)
		}
	})
}

// parseFTS5Or reads q as FTS5 would: a string opens and closes with '"' and holds "" for a
// quote; between strings only " OR " is allowed (no bareword, operator or column filter).
func parseFTS5Or(q string) ([]string, bool) {
	var out []string
	for i := 0; i < len(q); {
		if len(out) > 0 {
			if !strings.HasPrefix(q[i:], " OR ") {
				return out, false
			}
			i += len(" OR ")
		}
		if i >= len(q) || q[i] != '"' {
			return out, false
		}
		var b strings.Builder
		for i++; ; i++ {
			if i >= len(q) {
				return out, false // unterminated
			}
			if q[i] == '"' {
				if i+1 < len(q) && q[i+1] == '"' {
					b.WriteByte('"')
					i++
					continue
				}
				i++
				break
			}
			b.WriteByte(q[i])
		}
		out = append(out, b.String())
	}
	return out, true
}
