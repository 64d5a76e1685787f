// Package library reads the shipped study library (content/notes): English study notes in
// Markdown under a small YAML front matter, validated so that a broken note fails tests and
// start-up instead of reaching learners. The knowledge base loads them as platform documents
// and chunks each Body with internal/chunk. docs/library.md describes the format.
package library

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"sigs.k8s.io/yaml"

	"github.com/xentree/xentree-api/content"
)

// Levels are the CEFR levels a note may be written for, easiest first.
var Levels = []string{"A1", "A2", "B1", "B2", "C1", "C2"}

// Note is one study note.
type Note struct {
	// Slug is the file name without ".md": the note's stable identity across releases.
	Slug string
	// Title is the note's title, also its first line ("# Title").
	Title string
	// Level is the CEFR level the note is written for (one of Levels).
	Level string
	// Tags are lower-case kebab-case keywords ("grammar", "tenses").
	Tags []string
	// Summary is one or two plain sentences saying what the note teaches.
	Summary string
	// Body is the Markdown after the front matter, line ends LF, starting with "# Title".
	Body string
	// Checksum is the hex SHA-256 of the note's file (line ends LF): it changes exactly when
	// the note does, so a loader can skip re-indexing unchanged notes.
	Checksum string
}

// Limits on the front matter.
const (
	MaxTitle      = 120
	MinSummary    = 20
	MaxSummary    = 400
	MaxTags       = 10
	frontMatterTo = "\n---\n"
)

var (
	slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	tagRE  = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
)

// Notes returns the embedded study library, sorted by slug, every note validated.
func Notes() ([]Note, error) {
	sub, err := fs.Sub(content.Notes, "notes")
	if err != nil {
		return nil, err
	}
	return Load(sub)
}

// Load reads every *.md file at the root of fsys as a note (Parse), sorted by slug. It
// reports every invalid note at once, joined; no notes at all is an error too.
func Load(fsys fs.FS) ([]Note, error) {
	names, err := fs.Glob(fsys, "*.md")
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, errors.New("library: no notes")
	}
	slices.Sort(names)
	var notes []Note
	var errs []error
	for _, name := range names {
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		n, err := Parse(strings.TrimSuffix(path.Base(name), ".md"), src)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		notes = append(notes, n)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return notes, nil
}

type frontMatter struct {
	Title   string   `json:"title"`
	Level   string   `json:"level"`
	Tags    []string `json:"tags"`
	Summary string   `json:"summary"`
}

// Parse reads one note: front matter between "---" lines (title, level, tags and summary;
// nothing else), then a Markdown body whose first line is "# " + title and which has no
// other level-1 heading. CRLF line ends and a byte order mark are accepted.
func Parse(slug string, src []byte) (Note, error) {
	fail := func(format string, a ...any) (Note, error) {
		return Note{}, fmt.Errorf("note %q: %s", slug, fmt.Sprintf(format, a...))
	}
	if !slugRE.MatchString(slug) {
		return fail("the file name must be a lower-case kebab-case slug")
	}
	if !utf8.Valid(src) || bytes.IndexByte(src, 0) >= 0 {
		return fail("not UTF-8 text")
	}
	src = bytes.ReplaceAll(bytes.TrimPrefix(src, []byte("\uFEFF")), []byte("\r\n"), []byte("\n"))
	meta, body, ok := SplitFrontMatter(string(src))
	if !ok {
		return fail("no front matter: the file must start with a line \"---\" and the metadata must end with another")
	}
	var fm frontMatter
	if err := yaml.UnmarshalStrict([]byte(meta), &fm); err != nil {
		return fail("front matter: %v", err)
	}
	fm.Title, fm.Summary = strings.TrimSpace(fm.Title), strings.Join(strings.Fields(fm.Summary), " ")
	switch {
	case fm.Title == "" || len(fm.Title) > MaxTitle || strings.ContainsAny(fm.Title, "\r\n"):
		return fail("title must be one line of 1 to %d bytes", MaxTitle)
	case !slices.Contains(Levels, fm.Level):
		return fail("level %q is not one of %v", fm.Level, Levels)
	case len(fm.Summary) < MinSummary || len(fm.Summary) > MaxSummary:
		return fail("summary must be %d to %d bytes, has %d", MinSummary, MaxSummary, len(fm.Summary))
	case len(fm.Tags) == 0 || len(fm.Tags) > MaxTags:
		return fail("needs 1 to %d tags", MaxTags)
	}
	for i, t := range fm.Tags {
		if !tagRE.MatchString(t) || slices.Contains(fm.Tags[:i], t) {
			return fail("tag %q is not a unique lower-case kebab-case word", t)
		}
	}
	body = strings.TrimLeft(body, "\n")
	first, rest, _ := strings.Cut(body, "\n")
	if first != "# "+fm.Title {
		return fail("the body must start with the line %q, starts with %q", "# "+fm.Title, first)
	}
	if strings.TrimSpace(rest) == "" {
		return fail("the body is empty")
	}
	if h := strayH1(rest); h != "" {
		return fail("a second level-1 heading %q: sections are \"## \"", h)
	}
	sum := sha256.Sum256(src)
	return Note{
		Slug: slug, Title: fm.Title, Level: fm.Level, Tags: fm.Tags, Summary: fm.Summary,
		Body: strings.TrimRight(body, "\n") + "\n", Checksum: hex.EncodeToString(sum[:]),
	}, nil
}

// SplitFrontMatter separates a YAML front matter from the document after it. The document
// must start with a line "---"; the front matter runs to the next line "---". Without one,
// ok is false and body is the whole document. Line ends must be LF.
func SplitFrontMatter(doc string) (meta, body string, ok bool) {
	rest, found := strings.CutPrefix(doc, "---\n")
	if !found {
		return "", doc, false
	}
	if strings.HasPrefix(rest, "---\n") {
		return "", rest[len("---\n"):], true
	}
	i := strings.Index(rest, frontMatterTo)
	if i < 0 {
		if strings.HasSuffix(rest, "\n---") {
			return rest[:len(rest)-len("\n---")], "", true
		}
		return "", doc, false
	}
	return rest[:i], rest[i+len(frontMatterTo):], true
}

// strayH1 returns the first "# " heading outside fenced code, if any.
func strayH1(md string) string {
	fence := ""
	for line := range strings.SplitSeq(md, "\n") {
		t := strings.TrimLeft(line, " ")
		switch {
		case fence != "":
			if strings.HasPrefix(t, fence) {
				fence = ""
			}
		case strings.HasPrefix(t, "```"), strings.HasPrefix(t, "~~~"):
			fence = t[:3]
		case strings.HasPrefix(line, "# ") || line == "#":
			return line
		}
	}
	return ""
}
