package tutor

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Practice: gap-fill exercises from a topic's items, open prompts otherwise, and the checking of
// answers to the exercise the tutor gave in its previous turn. Which items come next depends
// only on the conversation (how many exercises on the topic it already holds), so the same
// conversation always gets the same answer and a learner asking again gets new items.

const (
	itemsPerExercise   = 3
	promptsPerExercise = 2
)

// shown counts the tutor turns that hold at least one of texts.
func shown(history []Turn, texts []string) int {
	n := 0
	for _, t := range history {
		if !t.Assistant {
			continue
		}
		for _, s := range texts {
			if strings.Contains(t.Text, s) {
				n++
				break
			}
		}
	}
	return n
}

func questions(t *Topic) []string {
	out := make([]string, len(t.Exercises))
	for i, e := range t.Exercises {
		out[i] = e.Q
	}
	return out
}

// rotate returns n items of list starting after the round-th block.
func rotate[T any](list []T, round, n int) []T {
	out := make([]T, 0, n)
	for i := range min(n, len(list)) {
		out = append(out, list[(round*n+i)%len(list)])
	}
	return out
}

func (tu *Tutor) exercise(ph *phrases, t *Topic, history []Turn) string {
	items := rotate(t.Exercises, shown(history, questions(t)), itemsPerExercise)
	var b strings.Builder
	fmt.Fprintf(&b, "**%s**\n%s %s\n\n", fmt.Sprintf(ph.practiceTitle, t.Name), ph.complete, t.Hint)
	for i, e := range items {
		fmt.Fprintf(&b, "%d. %s\n", i+1, e.Q)
	}
	b.WriteString("\n" + ph.reply)
	return b.String()
}

func (tu *Tutor) openPractice(ph *phrases, history []Turn) string {
	items := rotate(tu.data.Prompts, shown(history, tu.data.Prompts), promptsPerExercise)
	var b strings.Builder
	fmt.Fprintf(&b, "**%s**\n%s\n\n", ph.openTitle, ph.openInstr)
	for i, p := range items {
		fmt.Fprintf(&b, "%d. %s\n", i+1, p)
	}
	b.WriteString("\n" + ph.anotherHint)
	return b.String()
}

// pending is the exercise of the tutor's latest turn, when that turn is one.
func (tu *Tutor) pending(history []Turn) (*Topic, []Exercise) {
	for i := len(history) - 1; i >= 0; i-- {
		if history[i].Assistant {
			return tu.exerciseIn(history[i].Text)
		}
	}
	return nil, nil
}

// exerciseIn finds the exercise a tutor turn holds: its topic and items in the order shown.
func (tu *Tutor) exerciseIn(text string) (*Topic, []Exercise) {
	for ti := range tu.data.Topics {
		t := &tu.data.Topics[ti]
		var items []Exercise
		for _, e := range t.Exercises {
			if strings.Contains(text, e.Q) {
				items = append(items, e)
			}
		}
		if len(items) > 0 {
			slices.SortFunc(items, func(a, b Exercise) int { return strings.Index(text, a.Q) - strings.Index(text, b.Q) })
			return t, items
		}
	}
	return nil, nil
}

// lastTopic is the topic of the latest exercise or the latest topic the learner named.
func (tu *Tutor) lastTopic(history []Turn) *Topic {
	for i := len(history) - 1; i >= 0; i-- {
		if history[i].Assistant {
			if t, _ := tu.exerciseIn(history[i].Text); t != nil {
				return t
			}
		} else if ts := tu.data.topics(normalize(history[i].Text)); len(ts) > 0 {
			return ts[0]
		}
	}
	return nil
}

var numbering = regexp.MustCompile(`^\s*(?:\(?\d+[.):]?|[-*•])\s*`)

// answers splits a learner's reply into one answer per item: by line, or by commas and
// semicolons when there are fewer lines than items.
func answers(reply string, n int) []string {
	var lines []string
	for l := range strings.Lines(reply) {
		if l = strip(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) < n && len(lines) == 1 {
		lines = strings.FieldsFunc(lines[0], func(r rune) bool { return r == ',' || r == ';' })
		for i := range lines {
			lines[i] = strip(lines[i])
		}
	}
	return lines
}

// strip removes numbering or a list marker; a lone dash is the no-article answer, not a marker.
func strip(line string) string {
	line = strings.TrimSpace(line)
	if answerKey(line) == "-" && line != "" {
		return line
	}
	return strings.TrimSpace(numbering.ReplaceAllString(line, ""))
}

var dashes = strings.NewReplacer("’", "'", "‘", "'", "–", "-", "—", "-")

// answerKey normalizes an answer for comparison: case, curly apostrophes, spacing, final
// punctuation; the no-article dash in all its forms.
func answerKey(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = dashes.Replace(s)
	s = strings.Trim(s, ".!?\"“”«» ")
	switch s {
	case "", "-", "x", "ø", "no article", "nothing", "none", "zero article":
		return "-"
	}
	return strings.Join(strings.Fields(s), " ")
}

// correct tells whether reply answers e: one of its answers, or any stretch of the completed
// sentence that covers the gap ("we've already seen", the whole sentence).
func correct(e Exercise, reply string) bool {
	got := tokens(reply)
	if len(got) == 0 {
		return false
	}
	for _, a := range e.A {
		if answerKey(reply) == answerKey(a) {
			return true
		}
		sentence, from, to := filledSpan(e.Q, a)
		for start := 0; start+len(got) <= len(sentence); start++ {
			if start <= from && start+len(got) > to && slices.Equal(sentence[start:start+len(got)], got) {
				return true
			}
		}
	}
	return false
}

// tokens are the lowercase words of s without surrounding punctuation.
func tokens(s string) []string {
	s = apostrophes.Replace(strings.ToLower(s))
	var out []string
	for _, f := range strings.Fields(s) {
		if f = strings.Trim(f, `.,!?;:"“”«»()`); f != "" {
			out = append(out, f)
		}
	}
	return out
}

var hintRe = regexp.MustCompile(`\s*\([^)]*\)`)

// filled is the sentence of q with answer in the gap and the bracketed hint gone; a contracted
// answer ('ve, 's) joins the word before it.
func filled(q, answer string) string {
	s := hintRe.ReplaceAllString(q, "")
	if answer == "-" {
		answer = ""
	}
	if strings.HasPrefix(answer, "'") {
		s = strings.Replace(s, " "+gap, answer, 1)
	}
	s = strings.Join(strings.Fields(strings.Replace(s, gap, answer, 1)), " ")
	if s != "" && strings.HasPrefix(q, gap) {
		s = strings.ToUpper(s[:1]) + s[1:]
	}
	return s
}

// filledSpan tokenizes the completed sentence and says which tokens hold the answer (from..to,
// inclusive; from > to for the empty answer "-", which any stretch around the gap covers).
func filledSpan(q, answer string) (sentence []string, from, to int) {
	before, _, _ := strings.Cut(hintRe.ReplaceAllString(q, ""), gap)
	from = len(tokens(before))
	n := len(tokens(answer))
	if answer == "-" {
		n = 0
	}
	if strings.HasPrefix(answer, "'") && from > 0 {
		from--
	}
	return tokens(filled(q, answer)), from, from + n - 1
}

func (tu *Tutor) check(ph *phrases, items []Exercise, reply string) string {
	given := answers(reply, len(items))
	var b strings.Builder
	right := 0
	for i, e := range items {
		switch {
		case i >= len(given):
			fmt.Fprintf(&b, "%d. ✗ %s\n", i+1, fmt.Sprintf(ph.missing, ph.q(e.A[0])))
		case correct(e, given[i]):
			right++
			fmt.Fprintf(&b, "%d. ✓ %s %s\n", i+1, ph.label(ph.correct), filled(e.Q, e.A[0]))
		default:
			fmt.Fprintf(&b, "%d. ✗ %s\n", i+1, fmt.Sprintf(ph.wrote, ph.q(given[i]), ph.q(e.A[0])))
		}
	}
	fmt.Fprintf(&b, "\n%s %s", fmt.Sprintf(ph.score, right, len(items)), ph.anotherHint)
	return b.String()
}
