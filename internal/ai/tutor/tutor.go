// Package tutor is the offline tutor's mind: it answers a learner's message without any model,
// from the conversation, passages a Retriever finds (the shipped study notes, the learner's
// documents) and the embedded glossary (content/glossary.yaml). It detects what the message asks
// for (a grammar point, a word's meaning or a comparison of two words, a translation, practice,
// the checking of answers to its last exercise, small talk), retrieves, and fills templates in
// the learner's language (en, de, es, fr, pt, it; English otherwise). What it cannot answer it
// says it cannot answer offline. Deterministic: the same conversation gets the same reply.
package tutor

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Passage is a piece of text a Retriever found.
type Passage struct {
	Title  string
	Text   string
	Source string // where it comes from, shown to the learner (e.g. "notes/grammar/present-perfect.md")
	Score  float64
}

// Retriever finds passages for a plain-words query among what userID may read (the shipped
// notes and the user's own documents), best first. The query is plain words, never search
// syntax; it should match passages with any of them, ranked by how many they share.
type Retriever interface {
	Retrieve(ctx context.Context, userID, query string, limit int) ([]Passage, error)
}

// Turn is one earlier turn of the conversation.
type Turn struct {
	Assistant bool
	Text      string
}

// Question is what the tutor answers.
type Question struct {
	UserID string
	// Language is the learner's language (ISO 639-1); "" lets the wording of the message decide.
	Language string
	// History holds the earlier turns, oldest first.
	History []Turn
	Message string
}

// Tutor answers learners offline. Safe for concurrent use.
type Tutor struct {
	data      *Data
	retriever Retriever
}

// New returns a tutor over the embedded glossary; retriever may be nil (no passages).
func New(retriever Retriever) (*Tutor, error) {
	d, err := loadData()
	if err != nil {
		return nil, err
	}
	return &Tutor{data: d, retriever: retriever}, nil
}

const passagesPerQuery = 3

// Answer replies to q.Message. Its only errors are the context's (and the retriever's, when
// the context ended): a retriever that fails otherwise just leaves the tutor without passages.
func (tu *Tutor) Answer(ctx context.Context, q Question) (string, error) {
	norm := normalize(q.Message)
	in := detect(norm, tu.accept)
	ph := languages[language(q.Language, in.lang)]
	topics := tu.data.topics(norm)
	if in.kind == meaning && len(topics) > 0 && len(tu.data.topics(normalize(in.terms[0]))) > 0 {
		in.kind = grammar // "what does present perfect mean"
	}
	switch in.kind {
	case greeting:
		return ph.hello + " " + tu.capabilities(ph), nil
	case help:
		return tu.capabilities(ph), nil
	case thanks:
		return ph.welcome, nil
	case goodbye:
		return ph.bye, nil
	case howAreYou:
		return ph.fine + " " + tu.capabilities(ph), nil
	case translate:
		return tu.translate(ph, in, q.Message), nil
	case meaning:
		return tu.define(ctx, ph, q.UserID, in.terms[0], original(q.Message, in.terms[0]))
	case difference:
		if a, b := tu.data.lookup(in.terms[0]), tu.data.lookup(in.terms[1]); a != nil && b != nil {
			return tu.compare(ph, a, b), nil
		}
		return tu.explain(ctx, ph, q.UserID, topics)
	case practice:
		// Without a topic, practice continues the conversation's latest one.
		if len(topics) == 0 {
			topics = nonNil(tu.lastTopic(q.History))
		}
		if len(topics) > 0 {
			return tu.exercise(ph, topics[0], q.History), nil
		}
		return tu.openPractice(ph, q.History), nil
	case another:
		if t := tu.lastTopic(q.History); t != nil {
			return tu.exercise(ph, t, q.History), nil
		}
		return tu.openPractice(ph, q.History), nil
	case grammar:
		if len(topics) > 0 {
			return tu.explain(ctx, ph, q.UserID, topics)
		}
		return tu.search(ctx, ph, q.UserID, norm)
	}
	// Nothing recognisable: answers to the pending exercise, a topic, a bare word, the notes.
	if _, items := tu.pending(q.History); items != nil && !strings.Contains(q.Message, "?") {
		return tu.check(ph, items, q.Message), nil
	}
	if len(topics) > 0 {
		return tu.explain(ctx, ph, q.UserID, topics)
	}
	if w := tu.data.lookup(norm); w != nil { // a bare word: "borrow?"
		return tu.word(ph, w), nil
	}
	return tu.search(ctx, ph, q.UserID, norm)
}

// original is term (normalized) as the learner wrote it, when it can be found.
func original(message, term string) string {
	lower := strings.ToLower(message)
	if i := strings.Index(lower, term); i >= 0 && len(lower) == len(message) {
		return message[i : i+len(term)]
	}
	return term
}

func nonNil(t *Topic) []*Topic {
	if t == nil {
		return nil
	}
	return []*Topic{t}
}

// language picks the reply language: the requested one when the tutor writes it, else the one
// the message was written in, else English.
func language(requested, detected string) string {
	base, _, _ := strings.Cut(strings.ToLower(requested), "-")
	if _, ok := languages[base]; ok {
		return base
	}
	if _, ok := languages[detected]; ok && requested == "" {
		return detected
	}
	return "en"
}

// accept keeps pattern matches the tutor can act on: comparisons of two glossary words or two
// topics, definitions of a word or short phrase, translations of anything (long ones get an
// honest "words only").
func (tu *Tutor) accept(in *intent) bool {
	switch in.kind {
	case difference:
		a, b := tu.tail(in.terms[0]), tu.head(in.terms[1])
		if a != "" && b != "" {
			in.terms = []string{a, b}
			return true
		}
		both := tu.data.topics(in.terms[0] + " " + in.terms[1])
		return len(both) >= 2
	case meaning:
		return len(strings.Fields(in.terms[0])) <= 4
	}
	return true
}

// tail is the glossary word that ends s ("should i use since" → "since"), head the one that
// starts it.
func (tu *Tutor) tail(s string) string {
	f := strings.Fields(s)
	for n := min(4, len(f)); n >= 1; n-- {
		if w := strings.Join(f[len(f)-n:], " "); tu.data.lookup(w) != nil {
			return w
		}
	}
	return ""
}

func (tu *Tutor) head(s string) string {
	f := strings.Fields(s)
	for n := min(4, len(f)); n >= 1; n-- {
		if w := strings.Join(f[:n], " "); tu.data.lookup(w) != nil {
			return w
		}
	}
	return ""
}

func (tu *Tutor) capabilities(ph *phrases) string {
	return fmt.Sprintf(ph.capabilities, ph.q(ph.exGrammar), ph.q(ph.exMeaning), ph.q(ph.exPractice))
}

func (tu *Tutor) refuse(ph *phrases) string {
	return ph.cantOffline + " " + tu.capabilities(ph)
}

// retrieve asks the retriever, if any. A failing retriever leaves the tutor without passages
// unless the context ended.
func (tu *Tutor) retrieve(ctx context.Context, userID, query string) ([]Passage, error) {
	if tu.retriever == nil || strings.TrimSpace(query) == "" {
		return nil, nil
	}
	ps, err := tu.retriever.Retrieve(ctx, userID, query, passagesPerQuery)
	if err != nil {
		return nil, ctx.Err()
	}
	return ps, nil
}

// explain answers a grammar question from the notes on each topic (at most two: a comparison).
func (tu *Tutor) explain(ctx context.Context, ph *phrases, userID string, topics []*Topic) (string, error) {
	if len(topics) == 0 {
		return tu.refuse(ph), nil
	}
	topics = topics[:min(2, len(topics))]
	var parts []string
	var used []Passage
	for _, t := range topics {
		ps, err := tu.retrieve(ctx, userID, t.Name)
		if err != nil {
			return "", err
		}
		p := bestFor(ps, t)
		if p == nil {
			parts = append(parts, fmt.Sprintf(ph.noNotes, t.Name))
			continue
		}
		if slices.ContainsFunc(used, func(u Passage) bool { return u.Title == p.Title && u.Source == p.Source }) {
			continue
		}
		used = append(used, *p)
		parts = append(parts, render(ph, *p, contentWords(normalize(t.Name+" "+strings.Join(t.Keywords, " ")))))
	}
	if len(used) > 0 && ph.notesInEN != "" {
		parts = append(parts, ph.notesInEN)
	}
	parts = append(parts, ph.offer)
	return strings.Join(parts, "\n\n"), nil
}

// bestFor is the passage about t: the first titled with one of its names, else the first that
// names it in its text; nil when none does (an unrelated passage is no answer).
func bestFor(ps []Passage, t *Topic) *Passage {
	names := append([]string{normalize(t.Name)}, t.Keywords...)
	for _, field := range []func(Passage) string{
		func(p Passage) string { return p.Title },
		func(p Passage) string { return p.Text },
	} {
		for i := range ps {
			norm := normalize(field(ps[i]))
			if slices.ContainsFunc(names, func(n string) bool { return has(norm, n) }) {
				return &ps[i]
			}
		}
	}
	return nil
}

// render quotes a passage: title, key sentences, examples, source.
func render(ph *phrases, p Passage, terms []string) string {
	ex := extract(p.Text, terms)
	var b strings.Builder
	fmt.Fprintf(&b, "**%s**\n", p.Title)
	b.WriteString(strings.Join(ex.sentences, " "))
	if len(ex.examples) > 0 {
		fmt.Fprintf(&b, "\n\n%s\n", ph.label(ph.examples))
		for _, e := range ex.examples {
			fmt.Fprintf(&b, "- %s\n", e)
		}
	} else {
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "\n%s %s", ph.label(ph.source), sourceOf(p))
	return b.String()
}

func sourceOf(p Passage) string {
	if p.Source == "" || p.Source == p.Title {
		return p.Title
	}
	return fmt.Sprintf("%s (%s)", p.Title, p.Source)
}

// word renders a glossary entry.
func (tu *Tutor) word(ph *phrases, w *Word) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** (%s)\n%s %s.", w.Word, w.POS, ph.label(ph.meaning), w.Meaning)
	if tr := w.Translations[ph.lang]; tr != "" {
		fmt.Fprintf(&b, "\n%s %s", ph.label(ph.inLang), tr)
	}
	fmt.Fprintf(&b, "\n%s %s", ph.label(ph.example), strings.Join(quoteAll(ph, w.Examples), " "))
	if w.Note != "" {
		fmt.Fprintf(&b, "\n%s %s", ph.label(ph.note), w.Note)
	}
	return b.String()
}

func quoteAll(ph *phrases, list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = ph.q(s)
	}
	return out
}

func (tu *Tutor) define(ctx context.Context, ph *phrases, userID, term, shown string) (string, error) {
	if w := tu.data.lookup(term); w != nil {
		return tu.word(ph, w), nil
	}
	missing := fmt.Sprintf(ph.notInGlossary, ph.q(shown))
	ps, err := tu.retrieve(ctx, userID, term)
	if err != nil {
		return "", err
	}
	for _, p := range ps {
		if s := sentenceWith(p.Text, term); s != "" {
			return fmt.Sprintf("%s %s\n\n> %s\n\n%s %s", missing, ph.usedInNotes, s, ph.label(ph.source), sourceOf(p)), nil
		}
	}
	return missing + " " + ph.glossaryOnly, nil
}

func (tu *Tutor) compare(ph *phrases, a, b *Word) string {
	return tu.word(ph, a) + "\n\n" + tu.word(ph, b)
}

// translate looks single words and short phrases up in the glossary, in both directions.
func (tu *Tutor) translate(ph *phrases, in intent, message string) string {
	term := in.terms[0]
	shown := original(message, term)
	if len(strings.Fields(term)) > 4 {
		return ph.onlyWords + " " + tu.capabilities(ph)
	}
	lang := ph.lang
	if !in.toEnglish {
		if w := tu.data.lookup(term); w != nil {
			if lang != "en" {
				return fmt.Sprintf("**%s** (%s)\n%s %s\n%s %s.", w.Word, w.POS, ph.label(ph.inLang), w.Translations[lang], ph.label(ph.meaning), w.Meaning)
			}
			var b strings.Builder
			fmt.Fprintf(&b, "**%s** (%s): %s.\n", w.Word, w.POS, w.Meaning)
			for _, l := range translated {
				fmt.Fprintf(&b, "\n%s %s", languages[l].label(languages[l].inLang), w.Translations[l])
			}
			return b.String()
		}
	}
	var hits []*Word
	if lang != "en" {
		hits = tu.data.reverse(term, lang)
	}
	if len(hits) == 0 {
		hits = tu.data.reverse(term, "")
	}
	if len(hits) == 0 {
		return fmt.Sprintf(ph.noEnglish, ph.q(shown)) + " " + ph.glossaryOnly
	}
	var lines []string
	for _, w := range hits[:min(3, len(hits))] {
		lines = append(lines, fmt.Sprintf("%s → **%s** (%s): %s.", ph.q(shown), w.Word, w.POS, w.Meaning))
	}
	return ph.label(ph.inEnglish) + "\n" + strings.Join(lines, "\n")
}

// search answers an open question from the passages, when one is clearly about it.
func (tu *Tutor) search(ctx context.Context, ph *phrases, userID, norm string) (string, error) {
	terms := contentWords(norm)
	if len(terms) == 0 {
		return tu.refuse(ph), nil
	}
	ps, err := tu.retrieve(ctx, userID, strings.Join(terms, " "))
	if err != nil {
		return "", err
	}
	need := min(2, len(terms))
	for _, p := range ps {
		if overlap(normalize(p.Title+" "+p.Text), terms) >= need {
			return ph.fromNotes + "\n\n" + render(ph, p, terms), nil
		}
	}
	return tu.refuse(ph), nil
}
