package xel

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Submission is a learner's answer to a task, as XELTaskSubmissionRequest carries it.
type Submission struct {
	// Answer is the chosen option (its text, or its letter "A", "b", "(c)"), the text typed
	// into a fill_blank or short_answer task (several blanks separated by "|", a new line, ";"
	// or ","), a reorder answer typed as one sentence or as items separated by "|", or the text
	// or transcript of a writing or speaking answer.
	Answer string
	// OrderedItems are the items of a reorder task in the chosen order, or the answers of a
	// fill_blank task, one per blank.
	OrderedItems []string
}

// Result is the outcome of grading a submission.
type Result struct {
	Score    float64 // 0–MaxScore, to one decimal
	Correct  bool    // fully right (partial credit leaves it false)
	Feedback string  // the verdict, what was expected, and the task's explanation
	Expected string  // the expected answer, as ExpectedAnswer gives it
}

// ErrEvaluated is returned by Grade for writing and speaking tasks: those go to the evaluator.
var ErrEvaluated = errors.New("writing and speaking tasks are evaluated, not auto-graded")

// ErrInvalidSubmission matches every *SubmissionError (errors.Is): the submission does not fit
// the task (no answer, not one of the options, wrong number of blanks or items). It is a
// client error (422), not a wrong answer, so nothing should be recorded.
var ErrInvalidSubmission = errors.New("invalid submission")

// SubmissionError says why a submission does not fit its task, in words fit for the client.
type SubmissionError struct{ Reason string }

// Error returns the reason.
func (e *SubmissionError) Error() string { return e.Reason }

// Is makes errors.Is(err, ErrInvalidSubmission) true.
func (e *SubmissionError) Is(target error) bool { return target == ErrInvalidSubmission }

func invalid(format string, args ...any) error {
	return &SubmissionError{Reason: fmt.Sprintf(format, args...)}
}

// Grade scores a submission to an objective task. Rules (docs/xel.md): answers are compared
// in canonical form (Normalize) against the answer and the task's alternatives; a
// multiple_choice answer is an option's text or letter; fill_blank earns credit per blank,
// reorder per item in the right place (the best over accepted orders); short_answer and
// multiple_choice are right or wrong. It returns ErrEvaluated for writing and speaking, and a
// *SubmissionError when the submission does not fit the task.
func Grade(t *Task, s Submission) (Result, error) {
	if t.Evaluated() {
		return Result{}, ErrEvaluated
	}
	if len(s.OrderedItems) > 0 && t.Type != Reorder && t.Type != FillBlank {
		return Result{}, invalid("ordered_items is only for reorder and fill_blank tasks; send answer")
	}
	var (
		r   Result
		err error
	)
	switch t.Type {
	case MultipleChoice:
		r, err = gradeChoice(t, s.Answer)
	case ShortAnswer:
		r, err = gradeShort(t, s.Answer)
	case FillBlank:
		r, err = gradeBlanks(t, s)
	case Reorder:
		r, err = gradeReorder(t, s)
	}
	if err != nil {
		return Result{}, err
	}
	r.Score = math.Round(r.Score*10) / 10
	r.Expected = t.ExpectedAnswer()
	r.Feedback = strings.TrimSpace(r.Feedback + " " + t.key.explanation)
	return r, nil
}

// Grade is Grade(t, s).
func (t *Task) Grade(s Submission) (Result, error) { return Grade(t, s) }

// ExpectedAnswer is the expected answer in display form: the right option, the answer, the
// blanks' answers separated by "; ", the items in order; "" for writing and speaking. Show it
// only after a submission.
func (t *Task) ExpectedAnswer() string {
	switch t.Type {
	case MultipleChoice, ShortAnswer:
		return t.key.answer
	case FillBlank:
		parts := make([]string, len(t.key.blanks))
		for i, b := range t.key.blanks {
			parts[i] = b.answer
		}
		return strings.Join(parts, "; ")
	case Reorder:
		return strings.Join(t.key.orders[0], " ")
	}
	return ""
}

// accepted reports whether one of the readings of got is the canonical form of want or of
// one of the alternatives.
func accepted(got []string, want string, alternatives []string) bool {
	for _, g := range got {
		if g == Normalize(want) {
			return true
		}
		for _, a := range alternatives {
			if g == Normalize(a) {
				return true
			}
		}
	}
	return false
}

// optionIndex finds the option an answer names: by its exact text, else ignoring case,
// spacing and punctuation, else in canonical form (contractions expanded), else by letter;
// a step counts only when exactly one option matches, so options that differ only in case
// or contractions ("Yes, I am." / "Yes, I'm.") stay distinct.
func optionIndex(options []string, answer string) int {
	light := func(s string) string { return strings.Join(tokens(fold(s)), " ") }
	got := Variants(answer)
	for _, same := range []func(o string) bool{
		func(o string) bool { return o == strings.TrimSpace(answer) },
		func(o string) bool { return light(o) == light(answer) },
		func(o string) bool { return slices.Contains(got, Normalize(o)) },
	} {
		found := -1
		for i, o := range options {
			if same(o) {
				if found >= 0 {
					found = -2
					break
				}
				found = i
			}
		}
		if found >= 0 {
			return found
		}
	}
	l := strings.Trim(fold(strings.TrimSpace(answer)), "().: ")
	if len(l) == 1 && l[0] >= 'a' && int(l[0]-'a') < len(options) {
		return int(l[0] - 'a')
	}
	return -1
}

func gradeChoice(t *Task, answer string) (Result, error) {
	if strings.TrimSpace(answer) == "" {
		return Result{}, invalid("answer is required: the text or the letter of the chosen option")
	}
	i := optionIndex(t.Options, answer)
	if i < 0 {
		return Result{}, invalid("answer must be one of the options (its text, or its letter A–%c)", 'A'+len(t.Options)-1)
	}
	if t.Options[i] == t.key.answer {
		return Result{Score: MaxScore, Correct: true, Feedback: "Correct."}, nil
	}
	return Result{Feedback: fmt.Sprintf("Not quite: you chose %q; the answer is %q.", t.Options[i], t.key.answer)}, nil
}

func gradeShort(t *Task, answer string) (Result, error) {
	if strings.TrimSpace(answer) == "" {
		return Result{}, invalid("answer is required")
	}
	got := Variants(answer)
	if accepted(got, t.key.answer, t.key.alternatives) {
		return Result{Score: MaxScore, Correct: true, Feedback: "Correct."}, nil
	}
	fb := fmt.Sprintf("Not quite: the answer is %q", t.key.answer)
	if len(t.key.alternatives) > 0 {
		fb += fmt.Sprintf(" (also accepted: %s)", quoteList(t.key.alternatives))
	}
	fb += "."
	if closeTo(got[0], t.key.answer, t.key.alternatives) {
		fb += " You were very close: check the spelling."
	}
	return Result{Feedback: fb}, nil
}

func closeTo(got, want string, alternatives []string) bool {
	if nearMiss(got, Normalize(want)) {
		return true
	}
	for _, a := range alternatives {
		if nearMiss(got, Normalize(a)) {
			return true
		}
	}
	return false
}

// blankAnswers splits a fill_blank submission into one answer per blank.
func blankAnswers(t *Task, s Submission) ([]string, error) {
	n := len(t.key.blanks)
	parts := s.OrderedItems
	switch {
	case len(parts) > 0 && strings.TrimSpace(s.Answer) != "":
		return nil, invalid("send the blanks either as answer or as ordered_items, not both")
	case len(parts) > 0:
	case strings.TrimSpace(s.Answer) == "":
		return nil, invalid("answer is required")
	case n == 1:
		parts = []string{s.Answer}
	default:
		parts = splitAny(s.Answer, "|\n")
		if len(parts) == 1 {
			parts = splitAny(s.Answer, ";,")
		}
	}
	if len(parts) != n {
		if n == 1 {
			return nil, invalid("this task has 1 blank; send one answer")
		}
		return nil, invalid("this task has %d blanks; send %d answers separated by \"|\" (or as ordered_items), you sent %d", n, n, len(parts))
	}
	return parts, nil
}

func splitAny(s, seps string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(seps, r) })
}

func gradeBlanks(t *Task, s Submission) (Result, error) {
	parts, err := blankAnswers(t, s)
	if err != nil {
		return Result{}, err
	}
	right := 0
	var wrong []string
	for i, b := range t.key.blanks {
		got := Variants(parts[i])
		if accepted(got, b.answer, b.alternatives) {
			right++
			continue
		}
		msg := fmt.Sprintf("you wrote %q, the answer is %q", strings.TrimSpace(parts[i]), b.answer)
		if closeTo(got[0], b.answer, b.alternatives) {
			msg += " (check the spelling)"
		}
		if len(t.key.blanks) > 1 {
			msg = fmt.Sprintf("blank %d: %s", i+1, msg)
		}
		wrong = append(wrong, msg)
	}
	n := len(t.key.blanks)
	r := Result{Score: float64(MaxScore*right) / float64(n), Correct: right == n}
	switch {
	case r.Correct:
		r.Feedback = "Correct."
	case n == 1:
		r.Feedback = "Not quite: " + wrong[0] + "."
	default:
		r.Feedback = fmt.Sprintf("%d of %d blanks right. %s.", right, n, upperFirst(strings.Join(wrong, "; ")))
	}
	return r, nil
}

func gradeReorder(t *Task, s Submission) (Result, error) {
	items := t.key.orders[0]
	var got []string // canonical items in the submitted order, or nil when unusable
	switch {
	case len(s.OrderedItems) > 0 && strings.TrimSpace(s.Answer) != "":
		return Result{}, invalid("send the order either as ordered_items or as answer, not both")
	case len(s.OrderedItems) > 0:
		got = canonItems(s.OrderedItems)
		if !samePieces(got, canonItems(items)) {
			return Result{}, invalid("ordered_items must list each of the task's %d items exactly once", len(items))
		}
	case strings.TrimSpace(s.Answer) == "":
		return Result{}, invalid("send the items in order as ordered_items (or as one answer)")
	case strings.ContainsAny(s.Answer, "|\n"):
		got = canonItems(splitAny(s.Answer, "|\n"))
		if !samePieces(got, canonItems(items)) {
			got = nil
		}
	default:
		joined := Variants(s.Answer)
		for _, order := range t.key.orders {
			if slices.Contains(joined, Normalize(strings.Join(order, " "))) {
				return Result{Score: MaxScore, Correct: true, Feedback: "Correct."}, nil
			}
		}
		got = segment(strings.Fields(joined[0]), canonItems(items))
	}
	if got == nil {
		return Result{Feedback: fmt.Sprintf("Your answer does not use each of the %d items exactly once. The right order is: %s", len(items), endSentence(t.ExpectedAnswer()))}, nil
	}
	best := 0
	for _, order := range t.key.orders {
		want := canonItems(order)
		n := 0
		for i := range want {
			if got[i] == want[i] {
				n++
			}
		}
		best = max(best, n)
	}
	r := Result{Score: float64(MaxScore*best) / float64(len(items)), Correct: best == len(items)}
	if r.Correct {
		r.Feedback = "Correct."
	} else {
		r.Feedback = fmt.Sprintf("%d of %d items in the right place. The right order is: %s", best, len(items), endSentence(t.ExpectedAnswer()))
	}
	return r, nil
}

func canonItems(items []string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = Normalize(it)
	}
	return out
}

// samePieces reports whether a and b hold the same strings the same number of times.
func samePieces(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// segment splits a sentence (canonical words) into the items (canonical, each used exactly
// once), returning the items in the order they appear, or nil if it cannot.
func segment(words, items []string) []string {
	pieces := make([][]string, len(items))
	for i, it := range items {
		pieces[i] = strings.Fields(it)
	}
	used := make([]bool, len(items))
	out := make([]string, 0, len(items))
	budget := 100000 // bounds pathological inputs; real items resolve in a few steps
	var walk func(pos int) bool
	walk = func(pos int) bool {
		if budget--; budget < 0 {
			return false
		}
		if pos == len(words) {
			return len(out) == len(items)
		}
		tried := map[string]bool{}
		for i, p := range pieces {
			if used[i] || tried[items[i]] || len(p) == 0 || pos+len(p) > len(words) || !slices.Equal(words[pos:pos+len(p)], p) {
				continue
			}
			tried[items[i]] = true
			used[i] = true
			out = append(out, items[i])
			if walk(pos + len(p)) {
				return true
			}
			used[i] = false
			out = out[:len(out)-1]
		}
		return false
	}
	if !walk(0) {
		return nil
	}
	return out
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// endSentence ends s with a full stop unless it already ends with punctuation.
func endSentence(s string) string {
	if strings.HasSuffix(s, ".") || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "!") {
		return s
	}
	return s + "."
}
