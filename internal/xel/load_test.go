package xel

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

// validModule is a minimal valid module: one task of each type. The tests below break it one
// way at a time.
const validModule = `slug: test-module
title: Test module
description: A module for loader tests.
level: A2
skill: reading
estimated_minutes: 10
material:
  kind: passage
  title: A text
  text: Tom lives in Leeds.
tasks:
  - slug: choice
    type: multiple_choice
    prompt: Where does Tom live?
    options: [Leeds, York, Hull]
    answer: Leeds
    explanation: The text says so.
  - slug: blank
    type: fill_blank
    prompt: Tom ___ in Leeds.
    blanks:
      - answer: lives
    explanation: Third person s.
  - slug: order
    type: reorder
    prompt: Order the words.
    items: [Tom, lives, in, Leeds]
    explanation: Subject, verb, place.
  - slug: short
    type: short_answer
    prompt: Who lives in Leeds?
    answer: Tom
    explanation: The text says so.
  - slug: essay
    type: writing
    prompt: Write 20–40 words about your town.
    min_words: 20
    max_words: 40
    target_level: A2
    explanation: Say where it is.
  - slug: talk
    type: speaking
    prompt: Talk about your town (30–60 words).
    min_words: 30
    max_words: 60
    target_level: A2
    explanation: Say what you like.
`

func TestParseValid(t *testing.T) {
	m, err := Parse("test-module.yaml", []byte(validModule))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Tasks) != 6 || m.Material == nil || m.Material.Kind != Passage || m.ID != ModuleID("test-module") {
		t.Fatalf("parsed %+v", m)
	}
	for i, tk := range m.Tasks {
		if tk.Position != i || tk.ModuleID != m.ID {
			t.Errorf("task %s: position %d, module %s", tk.Slug, tk.Position, tk.ModuleID)
		}
	}
}

// TestParseRejects: each broken variant fails with an error naming the file, the task where
// there is one, and the problem.
func TestParseRejects(t *testing.T) {
	for _, c := range []struct {
		name, old, new string
		want           []string
	}{
		{"unknown module field", "level: A2", "level: A2\ncolour: blue", []string{"test-module.yaml", "line 5", "field colour not found in a module"}},
		{"unknown task field", "    answer: Tom\n", "    answer: Tom\n    hint: T\n", []string{"field hint not found in a task"}},
		{"wrong type", "estimated_minutes: 10", "estimated_minutes: ten", []string{"cannot construct", "into int"}},
		{"duplicate key", "level: A2", "level: A2\nlevel: B1", []string{`mapping key "level" already defined`}},
		{"bad level", "level: A2\nskill", "level: D1\nskill", []string{`level "D1" must be one of`}},
		{"bad skill", "skill: reading", "skill: cooking", []string{`skill "cooking" must be one of`}},
		{"no title", "title: Test module", "title: ' '", []string{"title is required"}},
		{"no description", "description: A module for loader tests.", "", []string{"description is required"}},
		{"no time", "estimated_minutes: 10", "estimated_minutes: 0", []string{"estimated_minutes must be between 1 and 180"}},
		{"slug not the file", "slug: test-module", "slug: other-module", []string{`slug "other-module" must match the file name`}},
		{"bad slug", "slug: test-module", "slug: Test_Module", []string{`slug "Test_Module" must be lower-case`}},
		{"reading without a passage", "  kind: passage", "  kind: transcript", []string{`a reading module needs material of kind "passage"`}},
		{"bad material kind", "  kind: passage", "  kind: video", []string{`material.kind "video"`}},
		{"too few tasks", "  - slug: talk\n    type: speaking\n    prompt: Talk about your town (30–60 words).\n    min_words: 30\n    max_words: 60\n    target_level: A2\n    explanation: Say what you like.\n", "", []string{"between 6 and 50 tasks, it has 5"}},
		{"duplicate task slug", "slug: short", "slug: choice", []string{`task "choice" (#4): duplicate task slug "choice"`}},
		{"bad task slug", "slug: short", "slug: Short Answer", []string{`task "Short Answer" (#4): slug "Short Answer" must be lower-case`}},
		{"unknown type", "type: short_answer", "type: essay", []string{`task "short" (#4): type "essay" must be one of`}},
		{"no prompt", "prompt: Who lives in Leeds?", "prompt: ''", []string{`task "short" (#4): prompt is required`}},
		{"no explanation", "    explanation: Subject, verb, place.\n", "", []string{`task "order" (#3): explanation is required`}},
		{"answer not an option", "answer: Leeds", "answer: leeds", []string{`task "choice" (#1): answer "leeds" must be one of the options`}},
		{"one option", "options: [Leeds, York, Hull]", "options: [Leeds]", []string{"options: between 2 and 8 are needed, there are 1"}},
		{"repeated option", "options: [Leeds, York, Hull]", "options: [Leeds, York, York]", []string{`option "York" is listed twice`}},
		{"letter option misplaced", "options: [Leeds, York, Hull]\n    answer: Leeds", "options: [b, a, c]\n    keep_order: true\n    answer: b", []string{`option "b" would be shown at place A`}},
		{"field of another type", "    answer: Leeds\n", "    answer: Leeds\n    items: [a, b, c]\n", []string{`task "choice" (#1): items is not used by multiple_choice tasks`}},
		{"blank count", "prompt: Tom ___ in Leeds.", "prompt: Tom ___ in ___.", []string{`task "blank" (#2): the prompt has 2 blanks ("___") but 1 are listed`}},
		{"empty blank", "      - answer: lives", "      - answer: ''", []string{"blank 1 answer is required"}},
		{"blank answer separator", "prompt: Tom ___ in Leeds.\n    blanks:\n      - answer: lives", "prompt: Tom ___ in ___.\n    blanks:\n      - answer: lives\n      - answer: Leeds, UK", []string{`blank 2 answer "Leeds, UK": answers of a task with several blanks cannot contain`}},
		{"duplicate alternative", "    answer: Tom\n", "    answer: Tom\n    alternatives: [TOM!]\n", []string{`alternatives "TOM!" is already accepted`}},
		{"ambiguous contraction", "    answer: Tom\n", "    answer: He's Tom\n", []string{`answer "He's Tom": "he's" has two readings`}},
		{"punctuation answer", "    answer: Tom\n", "    answer: '?'\n", []string{`answer "?" has no letters or digits`}},
		{"two items", "items: [Tom, lives, in, Leeds]", "items: [Tom, lives]", []string{"items: between 3 and 20 are needed, there are 2"}},
		{"alternative order not a permutation", "    explanation: Subject, verb, place.\n", "    alternative_orders:\n      - [In, Leeds, Tom, lives, here]\n    explanation: Subject, verb, place.\n", []string{"must use exactly the items"}},
		{"alternative order repeats", "    explanation: Subject, verb, place.\n", "    alternative_orders:\n      - [tom, lives, in, leeds]\n    explanation: Subject, verb, place.\n", []string{"is listed twice (or is the order of items)"}},
		{"every order accepted", "items: [Tom, lives, in, Leeds]", "items: [a, a, a]", []string{"every order of them is accepted"}},
		{"no word range", "    min_words: 20\n", "", []string{`task "essay" (#5): min_words and max_words are required`}},
		{"range backwards", "    min_words: 20\n    max_words: 40\n", "    min_words: 40\n    max_words: 20\n", []string{"1 <= min_words < max_words"}},
		{"range not in the prompt", "prompt: Write 20–40 words about your town.", "prompt: Write about your town.", []string{`task "essay" (#5): the prompt must state the word range (20–40 words)`}},
		{"bad target level", "    target_level: A2\n    explanation: Say where", "    target_level: X9\n    explanation: Say where", []string{`target_level "X9"`}},
		{"model answer out of range", "    target_level: A2\n    explanation: Say where", "    target_level: A2\n    model_answer: Leeds is nice.\n    explanation: Say where", []string{"model_answer has 3 words, outside its own range 20–40"}},
		{"answer on a writing task", "    target_level: A2\n    explanation: Say where", "    target_level: A2\n    answer: no\n    explanation: Say where", []string{"answer is not used by writing tasks"}},
		{"not a mapping", validModule, "- a\n- b\n", []string{"cannot construct !!seq into a module"}},
		{"two documents", "level: A2", "level: A2\n---\nslug: x", []string{"expected single document"}},
	} {
		src := strings.Replace(validModule, c.old, c.new, 1)
		if src == validModule {
			t.Fatalf("%s: the mutation %q does not apply", c.name, c.old)
		}
		_, err := Parse("test-module.yaml", []byte(src))
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		for _, w := range append(c.want, "test-module.yaml: ") {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", c.name, err, w)
			}
		}
	}
}

// TestParseReportsEveryProblem: one run lists all the problems of a file.
func TestParseReportsEveryProblem(t *testing.T) {
	src := strings.NewReplacer("level: A2\nskill", "level: Z\nskill", "answer: Leeds", "answer: Paris", "    explanation: Third person s.\n", "").Replace(validModule)
	_, err := Parse("test-module.yaml", []byte(src))
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *Error", err)
	}
	for _, w := range []string{`level "Z"`, `answer "Paris"`, `task "blank" (#2): explanation is required`} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
}

func TestLoadRejects(t *testing.T) {
	other := strings.Replace(validModule, "slug: test-module", "slug: other", 1)
	for _, c := range []struct {
		name string
		fsys fstest.MapFS
		want string
	}{
		{"empty", fstest.MapFS{}, "the catalogue is empty"},
		{"stray file", fstest.MapFS{"test-module.yaml": {Data: []byte(validModule)}, "notes.yml": {Data: []byte("x")}}, "notes.yml: not a module file"},
		{"folder", fstest.MapFS{"test-module.yaml": {Data: []byte(validModule)}, "old/x.yaml": {Data: []byte(validModule)}}, "old: not a module file"},
		{"bad module among good", fstest.MapFS{"test-module.yaml": {Data: []byte(validModule)}, "other.yaml": {Data: []byte(strings.Replace(other, "level: A2", "level: A9", 1))}}, `other.yaml: level "A9"`},
	} {
		_, err := Load(c.fsys)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
	c, err := Load(fstest.MapFS{"test-module.yaml": {Data: []byte(validModule)}, "other.yaml": {Data: []byte(other)}})
	if err != nil || len(c.Modules()) != 2 {
		t.Fatalf("two valid modules: %v", err)
	}
	// A task moved to another module gets a new id: ids are per (module, task).
	a, _ := c.ModuleBySlug("test-module")
	b, _ := c.ModuleBySlug("other")
	if a.Tasks[0].ID == b.Tasks[0].ID {
		t.Error("same task slug in two modules, same id")
	}
}

// TestOptionsShuffleIsStable: options are shown in one fixed, seeded order (the golden order
// below); keep_order keeps the authored order.
func TestOptionsShuffleIsStable(t *testing.T) {
	src := strings.Replace(validModule, "options: [Leeds, York, Hull]", "options: [Leeds, York, Hull, Bath, Ely]", 1)
	m, err := Parse("test-module.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(m.Tasks[0].Options, ",")
	if want := "York,Hull,Leeds,Ely,Bath"; got != want {
		t.Errorf("shuffled options %s, want the golden %s", got, want)
	}
	kept, err := Parse("test-module.yaml", []byte(strings.Replace(src, "answer: Leeds", "keep_order: true\n    answer: Leeds", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(kept.Tasks[0].Options, ","); got != "Leeds,York,Hull,Bath,Ely" {
		t.Errorf("keep_order: %s", got)
	}
	if got := strings.Join(m.Tasks[2].Options, " "); got == "Tom lives in Leeds" {
		t.Error("reorder items shown in order")
	}
}
