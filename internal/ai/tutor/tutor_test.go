package tutor

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/xentree/xentree-api/content"
)

func newTutor(t *testing.T, r Retriever) *Tutor {
	t.Helper()
	tu, err := New(r)
	if err != nil {
		t.Fatal(err)
	}
	return tu
}

func answer(t *testing.T, tu *Tutor, lang, msg string, history ...Turn) string {
	t.Helper()
	a, err := tu.Answer(context.Background(), Question{UserID: "u1", Language: lang, Message: msg, History: history})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func contains(t *testing.T, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("answer lacks %q:\n%s", w, got)
		}
	}
}

func lacks(t *testing.T, got string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(got, w) {
			t.Errorf("answer has %q:\n%s", w, got)
		}
	}
}

func TestGrammarFromNotes(t *testing.T) {
	n := studyNotes()
	tu := newTutor(t, n)
	en := answer(t, tu, "en", "How do I use the present perfect?")
	contains(t, en,
		"**Present perfect**",
		"We form the present perfect with have/has + past participle.",
		"With a finished time (yesterday, in 2019, last week) use the past simple instead.",
		"Examples:\n- I have visited Rome twice.",
		"Source: Present perfect (notes/grammar/present-perfect.md)",
		"Just say “practice”")
	lacks(t, en, "#", "**have/has", "Writing formal emails")
	if !slices.Contains(n.queries, "present perfect") {
		t.Errorf("queries %q", n.queries)
	}

	de := answer(t, tu, "de", "Wie benutze ich das Present Perfect?")
	contains(t, de, "We form the present perfect", "Beispiele:", "Quelle: Present perfect", "(Die Notizen sind auf Englisch.)", "„Übung“")

	// Two topics: both notes, once each.
	both := answer(t, tu, "", "past simple or present perfect?")
	contains(t, both, "**Past simple**", "**Present perfect**", "Use the past simple for finished actions")
	if strings.Count(both, "Source:") != 2 {
		t.Errorf("want two sources:\n%s", both)
	}

	// "What does ... mean" about a grammar term is a grammar question.
	contains(t, answer(t, tu, "en", "What does present perfect mean?"), "We form the present perfect")

	// A topic the notes do not cover: said so, no unrelated note.
	none := answer(t, tu, "en", "When do I use articles?")
	contains(t, none, "I couldn't find study notes on articles offline.")
	lacks(t, none, "Source:")
}

func TestOpenQuestionFromNotes(t *testing.T) {
	tu := newTutor(t, studyNotes())
	got := answer(t, tu, "", "How should I start a formal email?")
	contains(t, got, "Here is what I found in the study notes:", "Open a formal email with \"Dear Ms Smith\"", "Source: Writing formal emails")
	// One shared word is not enough to call a note an answer.
	contains(t, answer(t, tu, "en", "Which email provider is best?"), "I can't answer that offline.")

	// A pasted essay makes a bounded query.
	n := studyNotes()
	essay := strings.Repeat("Yesterday our whole class visited a museum near the river and learned history. ", 200)
	answer(t, newTutor(t, n), "en", essay)
	if q := n.queries[len(n.queries)-1]; len(strings.Fields(q)) > maxQueryWords {
		t.Errorf("query of %d words", len(strings.Fields(q)))
	}
}

func TestWordMeaning(t *testing.T) {
	tu := newTutor(t, studyNotes())
	es := answer(t, tu, "es", "¿Qué significa 'actually'?")
	contains(t, es, "**actually** (adverb)", "Significado: in fact, really", "En español: en realidad", "Ejemplo: «I thought the film", "Nota: False friend")

	fr := answer(t, tu, "fr", "Que veut dire « borrowed » ?") // an inflected form
	contains(t, fr, "**borrow** (verb)", "Sens : to take something from someone", "En français : emprunter", "Exemple : « Can I borrow your pen? »")

	en := answer(t, tu, "en", "What does eventually mean?")
	contains(t, en, "**eventually**", "Meaning: in the end", "Note: False friend")
	lacks(t, en, "In English:")

	// Two words compared.
	pair := answer(t, tu, "it", "Qual è la differenza tra make e do?")
	contains(t, pair, "**make** (verb)", "**do** (verb)", "In italiano: fare")
	contains(t, answer(t, tu, "en", "Should I use since or for?"), "**since**", "**for**", "since + a point in time")

	// A bare word is a request for its meaning.
	contains(t, answer(t, tu, "de", "sensible?"), "**sensible**", "Auf Deutsch: vernünftig")
}

func TestUnknownWord(t *testing.T) {
	n := studyNotes()
	tu := newTutor(t, n)
	got := answer(t, tu, "de", "Was bedeutet serendipity?")
	contains(t, got, "„serendipity“ steht nicht in meinem Offline-Glossar.", "Offline kann ich nur")
	n.passages = append(n.passages, Passage{Title: "Reading: lucky finds", Source: "notes/reading/luck.md",
		Text: "Some discoveries happen by chance. Finding something good without looking for it is called serendipity."})
	got = answer(t, tu, "en", "What does serendipity mean?")
	contains(t, got, "isn't in my offline glossary", "The study notes use it like this:",
		"> Finding something good without looking for it is called serendipity.", "Source: Reading: lucky finds (notes/reading/luck.md)")
}

func TestTranslate(t *testing.T) {
	tu := newTutor(t, nil)
	contains(t, answer(t, tu, "", "Wie sagt man Termin auf Englisch?"), "Auf Englisch:", "„Termin“ → **appointment** (noun)")
	contains(t, answer(t, tu, "es", "¿Cómo se dice biblioteca en inglés?"), "«biblioteca» → **library**")
	contains(t, answer(t, tu, "pt", "traduz deadline"), "**deadline** (noun)", "Em português: prazo")
	en := answer(t, tu, "en", "translate borrow")
	contains(t, en, "Auf Deutsch: ausleihen", "En español: pedir prestado", "In italiano: prendere in prestito")
	contains(t, answer(t, tu, "fr", "Comment dit-on « je voudrais réserver une table pour ce soir » en anglais ?"), "pas des phrases entières")
	contains(t, answer(t, tu, "it", "come si dice ornitorinco in inglese"), "Offline non conosco una traduzione di «ornitorinco».")
}

func TestPracticeAndCheck(t *testing.T) {
	tu := newTutor(t, studyNotes())
	ask := "Give me an exercise on the present perfect"
	ex := answer(t, tu, "en", ask)
	contains(t, ex, "**Practice: present perfect**", "Use the present perfect",
		"1. I ___ (live) in this city since 2019.", "2. She ___ (never / be) to Japan.", "3. We ___ (already / see) that film.",
		"Reply with your answers, one per line")
	history := []Turn{{Text: ask}, {Assistant: true, Text: ex}}

	checked := answer(t, tu, "en", "1. I've lived\n2. has been\n3) we have already seen", history...)
	contains(t, checked,
		"1. ✓ correct: I have lived in this city since 2019.",
		"2. ✗ you wrote “has been”; the answer is “has never been”",
		"3. ✓ correct: We have already seen that film.",
		"You got 2 of 3 right.")
	contains(t, answer(t, tu, "de", "have lived, has never been", history...), "1. ✓ richtig", "2. ✓ richtig", "3. ✗ keine Antwort", "Du hast 2 von 3 richtig.")

	// "another one" continues the topic with new items.
	history = append(history, Turn{Text: "1. I've lived"}, Turn{Assistant: true, Text: checked})
	next := answer(t, tu, "en", "another one", history...)
	contains(t, next, "**Practice: present perfect**", "1. They ___ (not / finish) their homework yet.")
	lacks(t, next, "(live) in this city")

	// A bare "practice" after a grammar question practises that grammar, in the learner's language.
	grammar := []Turn{{Text: "Wie benutze ich das Past Simple?"}, {Assistant: true, Text: answer(t, tu, "de", "Wie benutze ich das Past Simple?")}}
	contains(t, answer(t, tu, "de", "Übung", grammar...), "**Übung: past simple**", "Ergänze die Sätze.", "Yesterday I ___ (go) to the cinema.", "Antworte mit deinen Lösungen")

	// No topic anywhere: open prompts, which rotate too.
	open := answer(t, tu, "pt", "Me dá um exercício")
	contains(t, open, "**Prática oral e escrita**", "Responda em inglês", "1. Describe your daily routine")
	again := answer(t, tu, "pt", "outro", Turn{Text: "Me dá um exercício"}, Turn{Assistant: true, Text: open})
	contains(t, again, "Compare two cities")
}

func TestArticleAnswers(t *testing.T) {
	tu := newTutor(t, nil)
	var ex string
	history := []Turn{}
	for range 2 { // the second exercise holds the no-article item
		ex = answer(t, tu, "en", "exercise on articles", history...)
		history = append(history, Turn{Text: "exercise on articles"}, Turn{Assistant: true, Text: ex})
	}
	contains(t, ex, "1. I'd like ___ cup of tea, please.", "2. ___ life is beautiful.", "3. Can you close ___ door, please?")
	contains(t, answer(t, tu, "en", "a\n-\nthe", history...), "You got 3 of 3 right.")
	contains(t, answer(t, tu, "en", "a, Life is beautiful., the", history...), "You got 3 of 3 right.")
	contains(t, answer(t, tu, "en", "an, the, a", history...), "You got 0 of 3 right.")
}

func TestSmallTalk(t *testing.T) {
	tu := newTutor(t, nil)
	for msg, want := range map[string]string{
		"Hi!":              "Hello! I'm Xentree's offline tutor.",
		"Hallo":            "Hallo! Ich bin der Offline-Tutor von Xentree.",
		"¡Hola!":           "¡Hola! Soy el tutor sin conexión de Xentree.",
		"Bonjour":          "Bonjour ! Je suis le tuteur hors ligne de Xentree.",
		"Olá":              "Olá! Eu sou o tutor offline da Xentree.",
		"Ciao!":            "Ciao! Sono il tutor offline di Xentree.",
		"thanks a lot!":    "You're welcome!",
		"merci beaucoup":   "Avec plaisir !",
		"Tschüss":          "Tschüss, und bleib dran!",
		"Hola, ¿qué tal?":  "¡Estoy bien, gracias",
		"what can you do?": "I can explain a grammar point",
		"":                 "I can explain a grammar point",
	} {
		contains(t, answer(t, tu, "", msg), want)
	}
	// The requested language wins over the greeting's.
	contains(t, answer(t, tu, "it", "Hello"), "Ciao! Sono il tutor offline")
}

func TestRefusals(t *testing.T) {
	tu := newTutor(t, studyNotes())
	for lang, want := range map[string]string{
		"en": "I can't answer that offline.",
		"de": "Darauf kann ich offline nicht antworten.",
		"es": "No puedo responder a eso sin conexión.",
		"fr": "Je ne peux pas répondre à cela hors ligne.",
		"pt": "Não consigo responder a isso offline.",
		"it": "Non posso rispondere a questo offline.",
		"ja": "I can't answer that offline.", // no Japanese templates: English
	} {
		got := answer(t, tu, lang, "Who won the football world cup in 1954?")
		if !strings.HasPrefix(got, want) {
			t.Errorf("%s: %q", lang, got)
		}
	}
	contains(t, answer(t, tu, "de-AT", "Wer hat die WM 1954 gewonnen?"), "Darauf kann ich offline nicht antworten.")
}

// The example questions and keywords each language's phrases suggest are understood.
func TestPhrasesSuggestWhatTheTutorUnderstands(t *testing.T) {
	tu := newTutor(t, nil)
	for _, lang := range Languages() {
		ph := languages[lang]
		check := func(what, msg string, want kind, topic string) {
			norm := normalize(msg)
			in := detect(norm, tu.accept)
			if in.kind != want {
				t.Errorf("%s %s %q: detected %v, want %v", lang, what, msg, in.kind, want)
			}
			if topic != "" {
				if ts := tu.data.topics(norm); len(ts) == 0 || ts[0].ID != topic {
					t.Errorf("%s %s %q: topics %v", lang, what, msg, ts)
				}
			}
		}
		check("grammar example", ph.exGrammar, grammar, "present-perfect")
		check("meaning example", ph.exMeaning, meaning, "")
		check("practice example", ph.exPractice, practice, "past-simple")
		check("practice keyword", quoted(ph, ph.offer), practice, "")
		check("another keyword", quoted(ph, ph.anotherHint), another, "")
		if in := detect(normalize(ph.exMeaning), tu.accept); len(in.terms) == 0 || in.terms[0] != "actually" {
			t.Errorf("%s: meaning example captures %q", lang, in.terms)
		}
	}
}

// quoted is the text inside the language's quotation marks in s.
func quoted(ph *phrases, s string) string {
	marks := strings.Split(ph.q("\x00"), "\x00")
	_, rest, _ := strings.Cut(s, marks[0])
	inner, _, _ := strings.Cut(rest, marks[1])
	return inner
}

func TestDeterministicAndConcurrent(t *testing.T) {
	tu := newTutor(t, studyNotes())
	questions := []string{"How do I use the present perfect?", "What does 'actually' mean?", "Give me an exercise on conditionals", "Hi"}
	want := make([]string, len(questions))
	for i, q := range questions {
		want[i] = answer(t, tu, "fr", q)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i, q := range questions {
				if got, _ := tu.Answer(context.Background(), Question{Language: "fr", Message: q}); got != want[i] {
					t.Errorf("%q: answers differ", q)
				}
			}
		})
	}
	wg.Wait()
}

func TestRetrieverFailures(t *testing.T) {
	n := studyNotes()
	n.err = errors.New("database is down")
	tu := newTutor(t, n)
	// Without passages the tutor says it has no notes, rather than failing the chat.
	contains(t, answer(t, tu, "en", "How do I use the present perfect?"), "I couldn't find study notes on present perfect offline.")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	n.err = context.Canceled
	if _, err := tu.Answer(ctx, Question{Message: "How do I use the present perfect?"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

func TestGlossaryData(t *testing.T) {
	d, err := parseData(content.Glossary)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Words) < 50 || len(d.Topics) < 10 {
		t.Errorf("%d words, %d topics", len(d.Words), len(d.Topics))
	}
	for _, tp := range d.Topics {
		for _, e := range tp.Exercises {
			for _, a := range e.A {
				if !correct(e, a) || !correct(e, filled(e.Q, a)) {
					t.Errorf("%s: %q does not accept its answer %q (or its sentence %q)", tp.ID, e.Q, a, filled(e.Q, a))
				}
			}
			if correct(e, "banana") {
				t.Errorf("%s: %q accepts anything", tp.ID, e.Q)
			}
		}
		if ts := d.topics(normalize(tp.Name)); len(ts) == 0 || ts[0].ID != tp.ID {
			t.Errorf("topic %s is not found by its own name", tp.ID)
		}
	}
	for _, bad := range []string{
		"words: [{word: x, meaning: m, examples: [e], translations: {de: a}}]\ntopics: []\nprompts: [a, b]",
		"words: []\ntopics: [{id: t, name: t, keywords: [t], exercises: [{q: no gap, a: [x]}, {q: a ___, a: [x]}, {q: b ___, a: [x]}]}]\nprompts: [a, b]",
		"words: []\nunknown: 1",
	} {
		if _, err := parseData([]byte(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"What does “actually” mean?": "what does actually mean",
		"Was heißt ‚Termin‘?":        "was heißt termin",
		"Qu’est-ce que ça veut dire": "qu'est ce que ça veut dire",
		"  'borrow'  ":               "borrow",
		"If-Sätze!!":                 "if sätze",
	} {
		if got := normalize(in); got != want {
			t.Errorf("normalize(%q) = %q, want %q", in, got, want)
		}
	}
}
