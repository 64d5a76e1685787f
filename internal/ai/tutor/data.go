package tutor

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"sigs.k8s.io/yaml"

	"github.com/xentree/xentree-api/content"
)

// Word is one glossary entry.
type Word struct {
	Word         string            `json:"word"`
	POS          string            `json:"pos"`
	Meaning      string            `json:"meaning"`
	Examples     []string          `json:"examples"`
	Note         string            `json:"note"`
	Translations map[string]string `json:"translations"`
}

// Topic is a grammar point learners ask about.
type Topic struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Keywords are the names learners use for it, in any of the languages, lowercase.
	Keywords  []string   `json:"keywords"`
	Hint      string     `json:"hint"`
	Exercises []Exercise `json:"exercises"`
}

// Exercise is one gap-fill item: Q has one "___", A every accepted answer.
type Exercise struct {
	Q string   `json:"q"`
	A []string `json:"a"`
}

// Data is the tutor's embedded knowledge.
type Data struct {
	Words   []Word   `json:"words"`
	Topics  []Topic  `json:"topics"`
	Prompts []string `json:"prompts"`

	byWord map[string]*Word
}

// Languages the tutor writes in besides English.
var translated = []string{"de", "es", "fr", "pt", "it"}

// loadData parses and checks content/glossary.yaml once.
var loadData = sync.OnceValues(func() (*Data, error) { return parseData(content.Glossary) })

func parseData(raw []byte) (*Data, error) {
	var d Data
	if err := yaml.UnmarshalStrict(raw, &d); err != nil {
		return nil, fmt.Errorf("tutor: glossary: %w", err)
	}
	var errs []error
	fail := func(format string, a ...any) { errs = append(errs, fmt.Errorf("tutor: glossary: "+format, a...)) }
	d.byWord = map[string]*Word{}
	for i := range d.Words {
		w := &d.Words[i]
		key := normalize(w.Word)
		switch {
		case key == "" || w.Meaning == "" || len(w.Examples) == 0:
			fail("word %d needs word, meaning and examples", i+1)
		case d.byWord[key] != nil:
			fail("word %q twice", w.Word)
		}
		for _, lang := range translated {
			if strings.TrimSpace(w.Translations[lang]) == "" {
				fail("word %q has no %s translation", w.Word, lang)
			}
		}
		d.byWord[key] = w
	}
	ids := map[string]bool{}
	for i := range d.Topics {
		t := &d.Topics[i]
		if t.ID == "" || t.Name == "" || len(t.Keywords) == 0 || ids[t.ID] {
			fail("topic %d needs a unique id, a name and keywords", i+1)
		}
		ids[t.ID] = true
		for j, k := range t.Keywords {
			t.Keywords[j] = normalize(k)
		}
		if len(t.Exercises) < 3 {
			fail("topic %q needs at least 3 exercises", t.ID)
		}
		for _, e := range t.Exercises {
			if strings.Count(e.Q, gap) != 1 || len(e.A) == 0 || slices.Contains(e.A, "") {
				fail("topic %q: exercise %q needs one %s and answers", t.ID, e.Q, gap)
			}
		}
	}
	if len(d.Prompts) < 2 {
		fail("needs at least 2 prompts")
	}
	return &d, errors.Join(errs...)
}

// gap marks the blank of an exercise.
const gap = "___"

// lookup finds a word, also through its common inflections (borrowed, lends, lending).
func (d *Data) lookup(word string) *Word {
	key := normalize(word)
	if w := d.byWord[key]; w != nil {
		return w
	}
	for _, suffix := range []string{"s", "es", "ed", "d", "ing"} {
		if base, ok := strings.CutSuffix(key, suffix); ok && len(base) > 2 {
			if w := d.byWord[base]; w != nil {
				return w
			}
			if w := d.byWord[base+"e"]; w != nil && (suffix == "ing" || suffix == "ed") {
				return w
			}
		}
	}
	if base, ok := strings.CutSuffix(key, "ies"); ok {
		return d.byWord[base+"y"]
	}
	return nil
}

// reverse finds the words whose translation into lang (any language when "") is phrase.
func (d *Data) reverse(phrase, lang string) []*Word {
	want := normalize(phrase)
	var out []*Word
	for i := range d.Words {
		w := &d.Words[i]
		for l, tr := range w.Translations {
			if lang != "" && l != lang {
				continue
			}
			if slices.Contains(alternatives(tr), want) && !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
	}
	return out
}

// alternatives splits a translation into its normalized alternatives, each with and without
// its parenthesized context: "ausleihen, sich leihen (etwas)" → ausleihen, sich leihen, ...
func alternatives(tr string) []string {
	var out []string
	for alt := range strings.FieldsFuncSeq(tr, func(r rune) bool { return r == ',' || r == ';' }) {
		out = append(out, normalize(alt))
		if i := strings.IndexByte(alt, '('); i >= 0 {
			out = append(out, normalize(alt[:i]))
		}
	}
	return out
}

// topics are the topics named in the normalized text, in order of appearance; the longest
// keyword wins where names overlap ("present perfect" inside "present perfect continuous").
func (d *Data) topics(norm string) []*Topic {
	type hit struct {
		at, length int
		t          *Topic
	}
	var hits []hit
	padded := " " + norm + " "
	for i := range d.Topics {
		t := &d.Topics[i]
		for _, k := range t.Keywords {
			if at := strings.Index(padded, " "+k+" "); at >= 0 {
				hits = append(hits, hit{at, len(k), t})
			}
		}
	}
	slices.SortFunc(hits, func(a, b hit) int {
		if a.at != b.at {
			return a.at - b.at
		}
		return b.length - a.length
	})
	var out []*Topic
	end := -1
	for _, h := range hits {
		if h.at < end || slices.Contains(out, h.t) {
			continue
		}
		out = append(out, h.t)
		end = h.at + h.length
	}
	return out
}

func (d *Data) topic(id string) *Topic {
	for i := range d.Topics {
		if d.Topics[i].ID == id {
			return &d.Topics[i]
		}
	}
	return nil
}
