package chunk

import (
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// checkInvariants asserts what Split promises for any input and options, and returns a
// description of the first violation ("" when none).
func checkInvariants(src string, opt Options, got []Chunk) string {
	o := opt.normalized()
	covered := 0
	if strings.HasPrefix(src, "\uFEFF") {
		covered = len("\uFEFF")
	}
	validIn := utf8.ValidString(src)
	for i, c := range got {
		switch {
		case c.Index != i:
			return fmt.Sprintf("chunk %d has Index %d", i, c.Index)
		case c.Start < 0 || c.End > len(src) || c.Start >= c.End:
			return fmt.Sprintf("chunk %d: bad range [%d,%d) of %d", i, c.Start, c.End, len(src))
		case c.End-c.Start > o.Max:
			return fmt.Sprintf("chunk %d spans %d bytes, over Max %d", i, c.End-c.Start, o.Max)
		case c.Text != normalizeEOL(src[c.Start:c.End]):
			return fmt.Sprintf("chunk %d: Text is not input[Start:End]", i)
		case strings.TrimSpace(c.Text) == "":
			return fmt.Sprintf("chunk %d is blank", i)
		case isSpace(c.Text[len(c.Text)-1]):
			return fmt.Sprintf("chunk %d ends in white space", i)
		case validIn && (!utf8.ValidString(c.Text) || !utf8.ValidString(c.Heading)):
			return fmt.Sprintf("chunk %d: invalid UTF-8 out of valid input", i)
		}
		if i > 0 {
			p := got[i-1]
			if c.Start <= p.Start || c.End <= p.End {
				return fmt.Sprintf("chunk %d [%d,%d) not after chunk %d [%d,%d)", i, c.Start, c.End, i-1, p.Start, p.End)
			}
			if c.Start < p.End && p.End-c.Start > o.Overlap {
				return fmt.Sprintf("chunk %d repeats %d bytes of chunk %d, over Overlap %d", i, p.End-c.Start, i-1, o.Overlap)
			}
		}
		if gap := src[min(covered, c.Start):c.Start]; strings.TrimSpace(gap) != "" {
			return fmt.Sprintf("bytes [%d,%d) before chunk %d are in no chunk: %q", covered, c.Start, i, gap)
		}
		covered = max(covered, c.End)
		if msg := checkCut(src, c.End, o.Max); msg != "" {
			return fmt.Sprintf("chunk %d: %s", i, msg)
		}
	}
	if strings.TrimSpace(src[covered:]) != "" {
		return fmt.Sprintf("bytes after %d are in no chunk", covered)
	}
	return ""
}

// checkCut asserts a chunk ending at end does not end inside a word, unless the word (a run
// without white space) is too long to fit: Split only cuts between characters in a run of
// at least Max/2 bytes. Cuts after CJK punctuation are clean.
func checkCut(src string, end, maxLen int) string {
	if end == len(src) || isSpace(src[end]) || cjkStop(src, end) || clauseEnd(src, end) {
		return ""
	}
	a, b := end, end
	for a > 0 && !isSpace(src[a-1]) {
		a--
	}
	for b < len(src) && !isSpace(src[b]) {
		b++
	}
	if b-a < maxLen/2-1 {
		return fmt.Sprintf("cut at %d inside the %d-byte word %q", end, b-a, src[a:b])
	}
	if utf8.ValidString(src) {
		r, _ := utf8.DecodeRuneInString(src[end:])
		if !utf8.RuneStart(src[end]) || unicode.Is(unicode.Mn, r) && !marksOnly(src[max(a, end-8*utf8.UTFMax):end]) {
			return fmt.Sprintf("cut at %d inside a character", end)
		}
	}
	return ""
}

// marksOnly reports whether the last 8 characters of s are combining marks or joiners: runeCut
// backs off that far looking for a character to cut before, then cuts where it is.
func marksOnly(s string) bool {
	for i := 0; i < 8; i++ {
		r, size := utf8.DecodeLastRuneInString(s)
		if size == 0 {
			return false
		}
		if !unicode.Is(unicode.M, r) && r != '\u200D' {
			return false
		}
		s = s[:len(s)-size]
	}
	return true
}

func split(t *testing.T, src string, opt Options) []Chunk {
	t.Helper()
	got := Split(src, opt)
	if msg := checkInvariants(src, opt, got); msg != "" {
		t.Fatalf("%s\ninput: %.300q", msg, src)
	}
	return got
}

func headings(cs []Chunk) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Heading)
	}
	return out
}

func texts(cs []Chunk) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Text)
	}
	return out
}

// prose returns n distinct sentences of about 60 bytes each.
func prose(n int, word string) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "Sentence %d says that %s is a useful word to practise today.", i, word)
	}
	return b.String()
}

func TestSplitStructure(t *testing.T) {
	cases := []struct {
		name     string
		src      string
		headings []string
		texts    []string
	}{
		{"empty", "", nil, nil},
		{"blank", " \n\t\r\n \n", nil, nil},
		{"Unicode spaces only", "\u2002\n\n\u3000\u00a0", nil, nil},
		{"byte order mark only", "\uFEFF\n", nil, nil},
		{"plain text", "Just one line of text.", []string{""}, []string{"Just one line of text."}},
		{"byte order mark skipped", "\uFEFFHello.", []string{""}, []string{"Hello."}},
		{"paragraphs pack into one chunk", "One.\n\nTwo.\n\n\nThree.\n", []string{""}, []string{"One.\n\nTwo.\n\n\nThree."}},
		{
			"heading path; a subsection that fits joins its section",
			"# Conditionals\n\nIntro.\n\n## Zero conditional\n\nFacts.\n\n### Form\n\nIf + present.\n\n## Second conditional\n\nUnreal.",
			[]string{"Conditionals", "Conditionals > Zero conditional", "Conditionals > Second conditional"},
			[]string{"# Conditionals\n\nIntro.", "## Zero conditional\n\nFacts.\n\n### Form\n\nIf + present.", "## Second conditional\n\nUnreal."},
		},
		{
			"no title: sections under each top heading join",
			"## One\n\nA.\n\n### One.1\n\nB.\n\n## Two\n\nC.\n\n### Two.1\n\nD.",
			[]string{"One", "Two"},
			[]string{"## One\n\nA.\n\n### One.1\n\nB.", "## Two\n\nC.\n\n### Two.1\n\nD."},
		},
		{
			"siblings never join",
			"## One\n\nA.\n\n## Two\n\nB.",
			[]string{"One", "Two"},
			[]string{"## One\n\nA.", "## Two\n\nB."},
		},
		{
			"heading with no body joins the next section",
			"# Title\n\n## Part\n\nBody text.",
			[]string{"Title > Part"},
			[]string{"# Title\n\n## Part\n\nBody text."},
		},
		{
			"text before the first heading",
			"Preface.\n# Title\nBody.",
			[]string{"", "Title"},
			[]string{"Preface.", "# Title\nBody."},
		},
		{"trailing heading alone", "Body.\n\n## End", []string{"", "End"}, []string{"Body.", "## End"}},
		{
			"skipped levels and closing hashes",
			"### Deep ###\nA.\n# Top #\nB.\n## Mid\nC.",
			[]string{"Deep", "Top", "Top > Mid"},
			[]string{"### Deep ###\nA.", "# Top #\nB.", "## Mid\nC."},
		},
		{
			"setext headings",
			"Title\n=====\n\nIntro.\n\nPart\n----\nBody.",
			[]string{"Title", "Title > Part"},
			[]string{"Title\n=====\n\nIntro.", "Part\n----\nBody."},
		},
		{"not headings", "#hashtag\n\n    # indented code\n\n####### seven", []string{""}, []string{"#hashtag\n\n    # indented code\n\n####### seven"}},
		{
			"a heading inside fenced code is code",
			"# Real\n\n```md\n# not a heading\n```\n\nAfter.",
			[]string{"Real"},
			[]string{"# Real\n\n```md\n# not a heading\n```\n\nAfter."},
		},
		{
			"unclosed fence runs to the end",
			"# A\n\n~~~\ncode\n# still code",
			[]string{"A"},
			[]string{"# A\n\n~~~\ncode\n# still code"},
		},
		{
			"CRLF and CR line ends become LF",
			"# Title\r\n\r\nLine one.\r\nLine two.\r## Next\rEnd.\r\n",
			[]string{"Title", "Title > Next"},
			[]string{"# Title\n\nLine one.\nLine two.", "## Next\nEnd."},
		},
		{"emphasis dropped from the path", "## *Unless* and `if not`\nText.", []string{"Unless and if not"}, []string{"## *Unless* and `if not`\nText."}},
		{"non-ASCII heading", "# Ünïcödé 日本語\n\nTexte.", []string{"Ünïcödé 日本語"}, []string{"# Ünïcödé 日本語\n\nTexte."}},
		{"first line indentation kept", "\n\n   - item\n", []string{""}, []string{"   - item"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := split(t, tc.src, Options{})
			if h := headings(got); fmt.Sprint(h) != fmt.Sprint(tc.headings) {
				t.Errorf("headings %q, want %q", h, tc.headings)
			}
			if x := texts(got); fmt.Sprint(x) != fmt.Sprint(tc.texts) {
				t.Errorf("texts %q, want %q", x, tc.texts)
			}
		})
	}
}

func TestSplitSizes(t *testing.T) {
	long := prose(80, "overlap") // ~4,900 bytes, one paragraph
	list := ""
	for i := range 40 {
		list += fmt.Sprintf("- Item %d is a list entry with a few words in it.\n", i)
	}
	code := "```go\n"
	for i := range 60 {
		code += fmt.Sprintf("x%d := compute(%d) // line\n", i, i)
	}
	code += "```"
	shortList := list[:strings.Index(list, "- Item 24")]
	shortCode := code[:strings.Index(code, "x50")] + "```"
	cases := []struct {
		name  string
		src   string
		opt   Options
		check func(t *testing.T, src string, got []Chunk)
	}{
		{"long paragraph cut at sentences with overlap", long, Options{}, func(t *testing.T, src string, got []Chunk) {
			if len(got) < 4 {
				t.Fatalf("%d chunks for %d bytes", len(got), len(src))
			}
			for i, c := range got {
				if !strings.HasSuffix(c.Text, ".") {
					t.Errorf("chunk %d does not end at a sentence: %q", i, c.Text[len(c.Text)-20:])
				}
				if !strings.HasPrefix(c.Text, "Sentence ") {
					t.Errorf("chunk %d does not start at a sentence: %q", i, c.Text[:20])
				}
				if i > 0 && c.Start >= got[i-1].End {
					t.Errorf("chunk %d has no overlap with chunk %d", i, i-1)
				}
				if n := c.End - c.Start; n < DefaultTarget/2 || n > DefaultMax {
					t.Errorf("chunk %d is %d bytes", i, n)
				}
			}
		}},
		{"no overlap when disabled", long, Options{Overlap: -1}, func(t *testing.T, src string, got []Chunk) {
			for i := 1; i < len(got); i++ {
				if got[i].Start < got[i-1].End {
					t.Errorf("chunk %d overlaps chunk %d", i, i-1)
				}
			}
		}},
		{"custom bounds", long, Options{Target: 200, Max: 300, Overlap: 50}, func(t *testing.T, src string, got []Chunk) {
			for i, c := range got {
				if c.End-c.Start > 300 {
					t.Errorf("chunk %d is %d bytes", i, c.End-c.Start)
				}
			}
			if len(got) < 15 {
				t.Errorf("%d chunks", len(got))
			}
		}},
		{"paragraphs fill chunks up to the target", strings.Repeat("A short paragraph of about fifty bytes here.\n\n", 60), Options{}, func(t *testing.T, src string, got []Chunk) {
			for i, c := range got[:len(got)-1] {
				if n := c.End - c.Start; n > DefaultTarget || n < DefaultTarget-100 {
					t.Errorf("chunk %d is %d bytes", i, n)
				}
				if !strings.HasSuffix(c.Text, "here.") {
					t.Errorf("chunk %d cut inside a paragraph", i)
				}
			}
		}},
		{"a list that fits stays whole", "# L\n\nIntro paragraph.\n\n" + shortList, Options{}, func(t *testing.T, src string, got []Chunk) {
			found := false
			for _, c := range got {
				found = found || strings.Contains(c.Text, "- Item 0 ") && strings.HasSuffix(c.Text, "- Item 23 is a list entry with a few words in it.")
			}
			if !found {
				t.Errorf("the list was cut: %q", texts(got))
			}
		}},
		{"a long list is cut between items", list, Options{}, func(t *testing.T, src string, got []Chunk) {
			for i, c := range got {
				if !strings.HasPrefix(c.Text, "- Item") || !strings.HasSuffix(c.Text, "in it.") {
					t.Errorf("chunk %d is not whole items: %q", i, c.Text)
				}
			}
		}},
		{"code that fits stays whole", "Text.\n\n" + shortCode + "\n\nMore.", Options{}, func(t *testing.T, src string, got []Chunk) {
			if len(got) != 3 || got[1].Text != shortCode {
				t.Errorf("code split: %q", texts(got))
			}
		}},
		{"long code is cut between lines without overlap", code, Options{}, func(t *testing.T, src string, got []Chunk) {
			for i, c := range got {
				if i > 0 && c.Start < got[i-1].End {
					t.Errorf("code chunk %d overlaps", i)
				}
				if !strings.HasSuffix(c.Text, "// line") && !strings.HasSuffix(c.Text, "```") {
					t.Errorf("code chunk %d cut inside a line: %q", i, c.Text[len(c.Text)-20:])
				}
			}
		}},
		{"table cut between rows", "| a | b |\n|---|---|\n" + strings.Repeat("| cell. With. Dots. | more text here |\n", 80), Options{}, func(t *testing.T, src string, got []Chunk) {
			for i, c := range got {
				if !strings.HasSuffix(c.Text, "|") || !strings.HasPrefix(c.Text, "|") {
					t.Errorf("chunk %d cut inside a row", i)
				}
			}
		}},
		{"a subsection too big to join its section gets its own chunk", "## A\n\n" + prose(8, "a") + "\n\n### B\n\n" + prose(8, "b"), Options{}, func(t *testing.T, src string, got []Chunk) {
			if h := headings(got); fmt.Sprint(h) != fmt.Sprint([]string{"A", "A > B"}) {
				t.Errorf("headings %q", h)
			}
		}},
		{"overlap stays inside a section", "# A\n\n" + prose(30, "alpha") + "\n\n# B\n\n" + prose(30, "beta"), Options{}, func(t *testing.T, src string, got []Chunk) {
			for i, c := range got {
				if strings.HasPrefix(c.Heading, "B") && strings.Contains(c.Text, "alpha") {
					t.Errorf("chunk %d of B repeats A", i)
				}
			}
		}},
		{"a word longer than Max is cut between characters", "Start " + strings.Repeat("x", 4000) + " end", Options{}, func(t *testing.T, src string, got []Chunk) {
			if len(got) < 3 {
				t.Errorf("%d chunks", len(got))
			}
		}},
		{"CJK text cut after full stops", strings.Repeat("今日は天気がいいので、公園へ散歩に行きました。", 60), Options{}, func(t *testing.T, src string, got []Chunk) {
			for i, c := range got[:len(got)-1] {
				if !strings.HasSuffix(c.Text, "。") {
					t.Errorf("chunk %d ends %q", i, c.Text[len(c.Text)-9:])
				}
			}
		}},
		{"combining marks stay with their letter", strings.Repeat("e\u0301", 2000), Options{}, func(t *testing.T, src string, got []Chunk) {
			for i, c := range got {
				if !strings.HasPrefix(c.Text, "e\u0301") {
					t.Errorf("chunk %d starts with a lone mark", i)
				}
			}
		}},
		{"emoji sequences stay whole", strings.Repeat("👩\u200d💻", 600), Options{}, func(t *testing.T, src string, got []Chunk) {
			for i, c := range got {
				if !strings.HasPrefix(c.Text, "👩\u200d💻") {
					t.Errorf("chunk %d starts inside a sequence: %q", i, c.Text[:8])
				}
			}
		}},
		{"huge heading", "# " + strings.Repeat("very long heading ", 200) + "\n\nBody.", Options{}, func(t *testing.T, src string, got []Chunk) {
			if h := got[0].Heading; len(h) > MaxHeadingTitle || !strings.HasSuffix(h, "…") {
				t.Errorf("heading %q", h)
			}
		}},
		{"many headings without bodies", strings.Repeat("## Heading with no text under it\n", 200), Options{}, func(t *testing.T, src string, got []Chunk) {
			for i, c := range got {
				if c.End-c.Start > DefaultTarget {
					t.Errorf("heading chunk %d is %d bytes", i, c.End-c.Start)
				}
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.check(t, tc.src, split(t, tc.src, tc.opt))
		})
	}
}

func TestSplitCRLFMatchesLF(t *testing.T) {
	lf := "# Title\n\n" + prose(40, "crlf") + "\n\n## Part\n\n- one\n- two\n\n```\ncode\n```\n"
	crlf := strings.ReplaceAll(lf, "\n", "\r\n")
	a, b := split(t, lf, Options{}), split(t, crlf, Options{})
	if fmt.Sprint(texts(a)) != fmt.Sprint(texts(b)) || fmt.Sprint(headings(a)) != fmt.Sprint(headings(b)) {
		t.Errorf("CRLF differs from LF:\n%q\n%q", texts(a), texts(b))
	}
}

func TestOptionsNormalized(t *testing.T) {
	cases := []struct{ in, want Options }{
		{Options{}, Options{DefaultTarget, DefaultMax, DefaultOverlap}},
		{Options{Target: 2000}, Options{DefaultMax, DefaultMax, DefaultOverlap}},
		{Options{Max: 1, Target: 1, Overlap: 1}, Options{1, MinMax, 0}},
		{Options{Target: 100, Overlap: 500}, Options{100, DefaultMax, 50}},
		{Options{Overlap: -3}, Options{DefaultTarget, DefaultMax, 0}},
	}
	for _, tc := range cases {
		if got := tc.in.normalized(); got != tc.want {
			t.Errorf("%+v: %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestSentenceEnd(t *testing.T) {
	cases := []struct {
		text string
		want bool
	}{
		{"It works. Next", true},
		{"Really? Next", true},
		{"Wow! Next", true},
		{"He said \"stop.\" Next", true},
		{"(as here.) Next", true},
		{"Wait… Next", true},
		{"For example, e.g. this", false},
		{"That is (i.e. this", false},
		{"Ask Dr. Brown", false},
		{"version 1.5 is", false},
		{"no stop here", false},
	}
	for _, tc := range cases {
		p := strings.LastIndexByte(tc.text, ' ')
		if got := sentenceEnd(tc.text, p); got != tc.want {
			t.Errorf("%q: %v, want %v", tc.text, got, tc.want)
		}
	}
	if !sentenceEnd("終わり。次", len("終わり。")) {
		t.Error("CJK full stop")
	}
}

func FuzzSplit(f *testing.F) {
	seeds := []string{
		"", "# A\n\nB", "#", "```", "~~~\n#", "\r\r\n\n", "\uFEFF", "- a\n- b\n",
		"| a |\n|---|\n", "Title\n===", "x\n---", "a. b. c. d.", "日本語。日本語。",
		"e\u0301e\u0301", "👩\u200d💻", "\xff\xfe bad utf8 \xc3", prose(40, "fuzz"),
		"# H\n\n" + strings.Repeat("word ", 400), strings.Repeat("x", 3000),
		"a\x00b\x00", "\u202e# evil\u202c\n\ntext", "a\rb\r\n# h\rc", "\u2028\u2029\u00a0\u3000",
		strings.Repeat("é", 1600), strings.Repeat("\u0301", 1600), strings.Repeat("|", 2000) + "\n|---|",
	}
	for _, s := range seeds {
		f.Add(s, 0, 0, 0)
		f.Add(s, 40, 64, 10)
	}
	f.Fuzz(func(t *testing.T, src string, target, maxLen, overlap int) {
		opt := Options{Target: target % 5000, Max: maxLen % 5000, Overlap: overlap % 1000}
		got := Split(src, opt)
		if msg := checkInvariants(src, opt, got); msg != "" {
			t.Fatalf("%s (options %+v)", msg, opt)
		}
	})
}

// bigMarkdown returns about n bytes of note-like Markdown: sections, paragraphs, lists, code.
func bigMarkdown(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "## Section %d\n\n%s\n\n- first point about %d\n- second point\n\n", i, prose(8, "bench"), i)
		if i%5 == 0 {
			b.WriteString("```\nexample code line\nanother line\n```\n\n")
		}
		if i%7 == 0 {
			b.WriteString(prose(40, "long") + "\n\n")
		}
	}
	return b.String()
}

func BenchmarkSplit(b *testing.B) {
	inputs := []struct{ name, src string }{
		{"markdown-1MB", bigMarkdown(1 << 20)},
		{"one-paragraph-1MB", prose((1<<20)/60, "paragraph")},
		{"no-spaces-1MB", strings.Repeat("abcdefghij", (1<<20)/10)},
		{"crlf-1MB", strings.ReplaceAll(bigMarkdown(1<<20), "\n", "\r\n")},
	}
	for _, in := range inputs {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.src)))
			b.ReportAllocs()
			for b.Loop() {
				Split(in.src, Options{})
			}
		})
	}
	// Baseline: one pass of strings.Fields over the same Markdown, the least an indexer does.
	b.Run("baseline-fields-markdown-1MB", func(b *testing.B) {
		b.SetBytes(int64(len(inputs[0].src)))
		b.ReportAllocs()
		for b.Loop() {
			strings.Fields(inputs[0].src)
		}
	})
}
