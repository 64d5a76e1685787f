package xel

import (
	"errors"
	"strings"
	"testing"
)

// gradingModule has one task of each kind the grader tables need.
const gradingModule = `slug: grading-fixture
title: Grading fixture
description: Tasks for the grader tables.
level: B1
skill: grammar
estimated_minutes: 5
tasks:
  - slug: choice
    type: multiple_choice
    prompt: Pick.
    options: [have been, have gone, was going, am going]
    keep_order: true
    answer: have been
    explanation: Been and come back.
  - slug: articles
    type: multiple_choice
    prompt: "___ apple a day."
    options: [a, an, the]
    keep_order: true
    answer: an
    explanation: An before a vowel sound.
  - slug: contractions
    type: multiple_choice
    prompt: '"Are you Spanish?" "Yes, ___"'
    options: [I am., I'm., I are.]
    keep_order: true
    answer: I am.
    explanation: No contraction in positive short answers.
  - slug: short
    type: short_answer
    prompt: Make it negative.
    answer: We are not at home.
    alternatives: [We are out.]
    explanation: Not after be.
  - slug: spelling
    type: short_answer
    prompt: The noun of accommodate.
    answer: accommodation
    explanation: Double c, double m.
  - slug: one-blank
    type: fill_blank
    prompt: She ___ (not like) it.
    blanks:
      - answer: didn't like
    explanation: Did not plus the base form.
  - slug: three-blanks
    type: fill_blank
    prompt: I ___ (go), she ___ (see), they ___ (buy).
    blanks:
      - answer: went
      - answer: saw
      - answer: bought
        alternatives: [purchased]
    explanation: Irregular verbs.
  - slug: order
    type: reorder
    prompt: Order the words.
    items: [I, would, have, called, you, if, I, had, had, your, number.]
    alternative_orders:
      - [If, I, had, had, your, number, I, would, have, called, you.]
    explanation: Either clause first.
  - slug: chunks
    type: reorder
    prompt: Order the phrases.
    items: [I usually, go to work, by bus, on Mondays]
    explanation: Time at the end.
  - slug: essay
    type: writing
    prompt: Write 50–80 words about your weekend.
    min_words: 50
    max_words: 80
    target_level: A2
    explanation: Cover every point.
`

func fixture(t *testing.T) *Module {
	t.Helper()
	m, err := Parse("grading-fixture.yaml", []byte(gradingModule))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestGradeTable(t *testing.T) {
	m := fixture(t)
	type sub = Submission
	for _, c := range []struct {
		task    string
		sub     Submission
		score   float64
		correct bool
		say     string // in the feedback
	}{
		// multiple_choice: by text (exact, case, punctuation, contractions), by letter.
		{"choice", sub{Answer: "have been"}, 100, true, "Been and come back."},
		{"choice", sub{Answer: "  HAVE BEEN. "}, 100, true, "Correct."},
		{"choice", sub{Answer: "A"}, 100, true, ""},
		{"choice", sub{Answer: "(a)"}, 100, true, ""},
		{"choice", sub{Answer: "a)"}, 100, true, ""},
		{"choice", sub{Answer: "have gone"}, 0, false, `the answer is "have been"`},
		{"choice", sub{Answer: "b"}, 0, false, `you chose "have gone"`},
		{"articles", sub{Answer: "an"}, 100, true, ""},
		{"articles", sub{Answer: "B"}, 100, true, ""},  // the letter of "an"
		{"articles", sub{Answer: "a"}, 0, false, ""},   // the option "a", which is also letter A
		{"articles", sub{Answer: "The"}, 0, false, ""}, //
		{"contractions", sub{Answer: "I am."}, 100, true, ""},
		{"contractions", sub{Answer: "i am"}, 100, true, ""},
		{"contractions", sub{Answer: "I'm."}, 0, false, `you chose "I'm."`},
		{"contractions", sub{Answer: "I’m"}, 0, false, `you chose "I'm."`}, // curly apostrophe
		// short_answer: case, spacing, punctuation, contractions, curly quotes, alternatives.
		{"short", sub{Answer: "We are not at home."}, 100, true, "Not after be."},
		{"short", sub{Answer: "we aren't at home"}, 100, true, ""},
		{"short", sub{Answer: "We’re not at home!"}, 100, true, ""},
		{"short", sub{Answer: "  WE   ARE NOT AT HOME  "}, 100, true, ""},
		{"short", sub{Answer: "We are out."}, 100, true, ""},
		{"short", sub{Answer: "We are at home."}, 0, false, `the answer is "We are not at home." (also accepted: "We are out.")`},
		{"short", sub{Answer: "We not are at home."}, 0, false, ""},
		{"spelling", sub{Answer: "Accommodation"}, 100, true, ""},
		{"spelling", sub{Answer: "accomodation"}, 0, false, "check the spelling"},
		{"spelling", sub{Answer: "hotel"}, 0, false, `the answer is "accommodation".`},
		// fill_blank: one blank, several blanks (|, new lines, ; or , and ordered_items), credit per blank.
		{"one-blank", sub{Answer: "didn't like"}, 100, true, ""},
		{"one-blank", sub{Answer: "did not like"}, 100, true, ""},
		{"one-blank", sub{Answer: "didn’t like"}, 100, true, ""},
		{"one-blank", sub{Answer: "didn't liked"}, 0, false, `you wrote "didn't liked", the answer is "didn't like"`},
		{"three-blanks", sub{Answer: "went | saw | bought"}, 100, true, ""},
		{"three-blanks", sub{Answer: "Went\nSaw\nPurchased"}, 100, true, ""},
		{"three-blanks", sub{Answer: "went; saw; bought"}, 100, true, ""},
		{"three-blanks", sub{Answer: "went, saw, bought"}, 100, true, ""},
		{"three-blanks", sub{OrderedItems: []string{"went", "saw", "bought"}}, 100, true, ""},
		{"three-blanks", sub{Answer: "went | seen | bought"}, 66.7, false, `2 of 3 blanks right. Blank 2: you wrote "seen", the answer is "saw"`},
		{"three-blanks", sub{Answer: "goed | seed | buyed"}, 0, false, "0 of 3 blanks right"},
		{"three-blanks", sub{Answer: "went | saw | bougth"}, 66.7, false, "(check the spelling)"},
		// reorder: ordered items, the alternative order, one typed sentence, "|"-separated items;
		// partial credit for items in place, best over the accepted orders.
		{"order", sub{OrderedItems: []string{"I", "would", "have", "called", "you", "if", "I", "had", "had", "your", "number."}}, 100, true, ""},
		{"order", sub{OrderedItems: []string{"if", "I", "had", "had", "your", "number", "I", "would", "have", "called", "you"}}, 100, true, ""},
		{"order", sub{Answer: "If I had had your number, I would have called you."}, 100, true, ""},
		{"order", sub{Answer: "I'd have called you if I'd had your number"}, 100, true, ""},
		{"order", sub{Answer: "I would have called you if I had your number had"}, 72.7, false, "8 of 11 items in the right place. The right order is: I would have called you if I had had your number. Either"},
		{"order", sub{OrderedItems: []string{"would", "I", "have", "called", "you", "if", "I", "had", "had", "your", "number."}}, 81.8, false, ""},
		{"order", sub{Answer: "I would call you if I had your number"}, 0, false, "does not use each of the 11 items exactly once"},
		{"chunks", sub{OrderedItems: []string{"I usually", "go to work", "by bus", "on Mondays"}}, 100, true, ""},
		{"chunks", sub{Answer: "I usually go to work by bus on Mondays."}, 100, true, ""},
		{"chunks", sub{Answer: "I usually | go to work | on Mondays | by bus"}, 50, false, "2 of 4 items"},
		{"chunks", sub{Answer: "on Mondays I usually go to work by bus"}, 0, false, "0 of 4 items"},
		{"chunks", sub{Answer: "I usually | go to school | by bus | on Mondays"}, 0, false, "does not use each"},
	} {
		task, ok := m.TaskBySlug(c.task)
		if !ok {
			t.Fatalf("no task %q", c.task)
		}
		r, err := Grade(task, c.sub)
		if err != nil {
			t.Errorf("%s %+v: %v", c.task, c.sub, err)
			continue
		}
		if r.Score != c.score || r.Correct != c.correct || !strings.Contains(r.Feedback, c.say) {
			t.Errorf("%s %+v = %v %v %q; want %v %v and %q in the feedback", c.task, c.sub, r.Score, r.Correct, r.Feedback, c.score, c.correct, c.say)
		}
		if !strings.Contains(r.Feedback, task.Explanation()) || r.Expected != task.ExpectedAnswer() {
			t.Errorf("%s %+v: feedback %q lacks the explanation, or expected %q", c.task, c.sub, r.Feedback, r.Expected)
		}
	}
}

func TestGradeRejectsSubmissionsThatDoNotFit(t *testing.T) {
	m := fixture(t)
	for _, c := range []struct {
		task string
		sub  Submission
		say  string
	}{
		{"choice", Submission{}, "answer is required"},
		{"choice", Submission{Answer: "have went"}, "must be one of the options (its text, or its letter A–D)"},
		{"choice", Submission{Answer: "E"}, "must be one of the options"},
		{"choice", Submission{OrderedItems: []string{"have been"}}, "ordered_items is only for reorder and fill_blank"},
		{"short", Submission{Answer: "  "}, "answer is required"},
		{"one-blank", Submission{}, "answer is required"},
		{"three-blanks", Submission{Answer: "went saw bought"}, "this task has 3 blanks; send 3 answers"},
		{"three-blanks", Submission{Answer: "went | saw"}, "you sent 2"},
		{"three-blanks", Submission{OrderedItems: []string{"went", "saw", "bought", "x"}}, "you sent 4"},
		{"three-blanks", Submission{Answer: "went", OrderedItems: []string{"went", "saw", "bought"}}, "not both"},
		{"order", Submission{}, "send the items in order"},
		{"order", Submission{OrderedItems: []string{"I", "would", "have", "called", "you"}}, "each of the task's 11 items exactly once"},
		{"order", Submission{OrderedItems: []string{"I", "would", "have", "called", "you", "if", "I", "had", "had", "your", "phone"}}, "exactly once"},
		{"order", Submission{Answer: "x", OrderedItems: []string{"I"}}, "not both"},
	} {
		task, _ := m.TaskBySlug(c.task)
		_, err := Grade(task, c.sub)
		var se *SubmissionError
		if !errors.Is(err, ErrInvalidSubmission) || !errors.As(err, &se) || !strings.Contains(se.Reason, c.say) {
			t.Errorf("%s %+v: err = %v, want an invalid submission saying %q", c.task, c.sub, err, c.say)
		}
	}
	essay, _ := m.TaskBySlug("essay")
	if _, err := Grade(essay, Submission{Answer: "I went to the park."}); !errors.Is(err, ErrEvaluated) {
		t.Errorf("writing task: err = %v, want ErrEvaluated", err)
	}
	if b, ok := essay.Brief(); !ok || b.MinWords != 50 || b.MaxWords != 80 || b.TargetLevel != A2 || b.Kind != WritingTask || b.Prompt == "" {
		t.Errorf("essay brief = %+v, %v", b, ok)
	}
	choice, _ := m.TaskBySlug("choice")
	if _, ok := choice.Brief(); ok {
		t.Error("an objective task has a brief")
	}
}
