package library

import (
	"strings"
	"testing"
	"testing/fstest"
	"unicode"

	"github.com/xentree/xentree-api/internal/chunk"
)

// words counts the words of Markdown prose: tokens with at least one letter, so list
// markers, table rules and arrows do not count.
func words(md string) int {
	n := 0
	for _, f := range strings.Fields(md) {
		if strings.IndexFunc(f, unicode.IsLetter) >= 0 {
			n++
		}
	}
	return n
}

func TestShippedNotes(t *testing.T) {
	notes, err := Notes()
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) < 14 {
		t.Fatalf("%d notes, want at least 14", len(notes))
	}
	slugs, titles := map[string]bool{}, map[string]bool{}
	for _, n := range notes {
		t.Run(n.Slug, func(t *testing.T) {
			if slugs[n.Slug] || titles[n.Title] {
				t.Errorf("duplicate slug or title")
			}
			slugs[n.Slug], titles[n.Title] = true, true
			if n.Title == "" || n.Level == "" || n.Summary == "" || len(n.Tags) == 0 || len(n.Checksum) != 64 {
				t.Errorf("incomplete: %+v", n)
			}
			if w := words(n.Body); w < 600 || w > 1500 {
				t.Errorf("%d words, want 600 to 1500", w)
			}
			for _, section := range []string{"\n## Practice\n", "\n### Answers\n"} {
				if !strings.Contains(n.Body, section) {
					t.Errorf("no %q section", strings.TrimSpace(section))
				}
			}
			corrections := 0
			for line := range strings.SplitSeq(n.Body, "\n") {
				if strings.Contains(line, "~~") && strings.Contains(line, "→") {
					corrections++
				}
			}
			if corrections < 6 {
				t.Errorf("%d corrected mistakes (~~wrong~~ → right), want at least 6", corrections)
			}
			if strings.Count(n.Body, "\n## ") < 4 {
				t.Errorf("fewer than four sections")
			}
			// Every chunk sits under the note's title, and the chunks cover the body.
			cs := chunk.Split(n.Body, chunk.Options{})
			if len(cs) < 3 {
				t.Errorf("only %d chunks", len(cs))
			}
			for _, c := range cs {
				if !strings.HasPrefix(c.Heading, n.Title) {
					t.Errorf("chunk %d heading %q is not under %q", c.Index, c.Heading, n.Title)
				}
			}
		})
	}
	// The topics the library promises (issue 10) are all there.
	for _, slug := range []string{
		"present-simple-and-continuous", "past-tenses", "present-perfect-vs-past-simple",
		"future-forms", "conditionals", "articles", "prepositions-of-time-and-place",
		"reported-speech", "phrasal-verbs", "modal-verbs", "passive-voice", "relative-clauses",
		"countable-and-uncountable-nouns", "gerunds-and-infinitives", "make-do-say-tell",
		"confusing-words", "common-learner-errors", "linking-words", "comparatives-and-superlatives",
	} {
		if !slugs[slug] {
			t.Errorf("note %q is missing", slug)
		}
	}
}

const good = "---\ntitle: Test note\nlevel: B1\ntags: [grammar, test-tag]\nsummary: A summary long enough to pass.\n---\n\n# Test note\n\n## Part\n\nBody.\n"

func TestParse(t *testing.T) {
	n, err := Parse("test-note", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if n.Slug != "test-note" || n.Title != "Test note" || n.Level != "B1" || n.Summary != "A summary long enough to pass." ||
		strings.Join(n.Tags, ",") != "grammar,test-tag" || n.Body != "# Test note\n\n## Part\n\nBody.\n" {
		t.Fatalf("%+v", n)
	}
	crlf, err := Parse("test-note", []byte("\uFEFF"+strings.ReplaceAll(good, "\n", "\r\n")))
	if err != nil || crlf.Body != n.Body || crlf.Checksum != n.Checksum {
		t.Fatalf("CRLF and BOM: %v %+v", err, crlf)
	}
	other, _ := Parse("test-note", []byte(strings.Replace(good, "Body.", "Body!", 1)))
	if other.Checksum == n.Checksum {
		t.Error("the checksum ignores the body")
	}

	bad := []struct{ name, slug, src, want string }{
		{"bad slug", "Test_Note", good, "slug"},
		{"invalid UTF-8", "x", good + "\xff", "UTF-8"},
		{"NUL", "x", good + "\x00", "UTF-8"},
		{"no front matter", "x", "# Test note\n\nBody.", "no front matter"},
		{"unclosed front matter", "x", "---\ntitle: x\n# x\n", "no front matter"},
		{"unknown field", "x", strings.Replace(good, "level: B1", "level: B1\nauthor: me", 1), "unknown field"},
		{"duplicate field", "x", strings.Replace(good, "level: B1", "level: B1\nlevel: B2", 1), "front matter"},
		{"bad YAML", "x", strings.Replace(good, "level: B1", "level: [B1", 1), "front matter"},
		{"no title", "x", strings.Replace(good, "title: Test note", "title: ' '", 1), "title"},
		{"bad level", "x", strings.Replace(good, "level: B1", "level: intermediate", 1), "level"},
		{"short summary", "x", strings.Replace(good, "A summary long enough to pass.", "Short.", 1), "summary"},
		{"no tags", "x", strings.Replace(good, "tags: [grammar, test-tag]", "tags: []", 1), "tags"},
		{"bad tag", "x", strings.Replace(good, "test-tag", "Test Tag", 1), "tag"},
		{"duplicate tag", "x", strings.Replace(good, "test-tag", "grammar", 1), "tag"},
		{"title mismatch", "x", strings.Replace(good, "# Test note", "# Other", 1), "must start with"},
		{"empty body", "x", strings.Replace(good, "## Part\n\nBody.\n", "", 1), "empty"},
		{"second H1", "x", good + "\n# Another\n", "second level-1"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.slug, []byte(tc.src))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
	if _, err := Parse("x", []byte(good+"\n```md\n# inside code\n```\n")); err != nil {
		t.Errorf("an H1 inside fenced code: %v", err)
	}
}

func TestLoad(t *testing.T) {
	fsys := fstest.MapFS{
		"b-note.md":  {Data: []byte(strings.ReplaceAll(good, "Test note", "B note"))},
		"a-note.md":  {Data: []byte(strings.ReplaceAll(good, "Test note", "A note"))},
		"readme.txt": {Data: []byte("not a note")},
	}
	notes, err := Load(fsys)
	if err != nil || len(notes) != 2 || notes[0].Slug != "a-note" || notes[1].Slug != "b-note" {
		t.Fatalf("%v %+v", err, notes)
	}
	fsys["c-bad.md"] = &fstest.MapFile{Data: []byte("no front matter")}
	fsys["d-bad.md"] = &fstest.MapFile{Data: []byte("nor here")}
	_, err = Load(fsys)
	if err == nil || !strings.Contains(err.Error(), "c-bad") || !strings.Contains(err.Error(), "d-bad") {
		t.Fatalf("want both bad notes reported, got %v", err)
	}
	if _, err := Load(fstest.MapFS{}); err == nil {
		t.Fatal("an empty library loads")
	}
}

func TestSplitFrontMatter(t *testing.T) {
	cases := []struct {
		doc, meta, body string
		ok              bool
	}{
		{"---\na: 1\n---\nbody", "a: 1", "body", true},
		{"---\n---\nbody", "", "body", true},
		{"---\na: 1\n---", "a: 1", "", true},
		{"no front matter", "", "no front matter", false},
		{"---\nunclosed", "", "---\nunclosed", false},
		{"text\n---\na: 1\n---\n", "", "text\n---\na: 1\n---\n", false},
	}
	for _, tc := range cases {
		meta, body, ok := SplitFrontMatter(tc.doc)
		if meta != tc.meta || body != tc.body || ok != tc.ok {
			t.Errorf("%q: %q %q %v", tc.doc, meta, body, ok)
		}
	}
}
