package tutor

import (
	"regexp"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// normalize lowercases s and reduces it to words separated by single spaces: letters, digits
// and inner apostrophes survive; quotes, punctuation and hyphens become spaces. Every pattern
// and keyword is matched against normalized text.
func normalize(s string) string {
	s = apostrophes.Replace(strings.ToLower(norm.NFC.String(s)))
	words := strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	})
	out := words[:0]
	for _, w := range words {
		if w = strings.Trim(w, "'"); w != "" {
			out = append(out, w)
		}
	}
	return strings.Join(out, " ")
}

var apostrophes = strings.NewReplacer("’", "'", "‘", "'", "`", "'")

// has tells whether the normalized text contains phrase as whole words.
func has(norm, phrase string) bool {
	if phrase == "" {
		return false
	}
	for i := 0; i <= len(norm)-len(phrase); {
		j := strings.Index(norm[i:], phrase)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(phrase)
		if (start == 0 || norm[start-1] == ' ') && (end == len(norm) || norm[end] == ' ') {
			return true
		}
		i = start + 1
	}
	return false
}

// kind is what a message asks for.
type kind int

const (
	unknown    kind = iota
	greeting        // hello
	thanks          // thank you
	goodbye         // bye
	howAreYou       // small talk
	help            // what can you do
	meaning         // what does X mean
	difference      // X or Y, difference between X and Y
	translate       // how do you say X in English
	practice        // give me an exercise
	another         // another one (after an exercise)
	grammar         // how do I use the present perfect
)

// intent is a detected request: its kind, what it is about, and the language it was asked in
// ("" when the wording does not tell).
type intent struct {
	kind kind
	// terms are the captured word(s): the word to define, the two to compare, the phrase to
	// translate.
	terms []string
	// toEnglish: translate asks for the English word of terms[0] (else it may go either way).
	toEnglish bool
	lang      string
}

type pattern struct {
	lang      string
	kind      kind
	re        *regexp.Regexp
	toEnglish bool
}

// p compiles a pattern over normalized text; (.+) captures what the question is about.
func p(lang string, k kind, expr string) pattern {
	return pattern{lang: lang, kind: k, re: regexp.MustCompile(`(?:^| )` + expr + `(?: please| bitte| por favor| s'il te plaît| s'il vous plaît| per favore| por favor)?$`)}
}

func toEN(pt pattern) pattern { pt.toEnglish = true; return pt }

// patterns are tried in order; the first match wins. Translations come first ("was heißt X auf
// Englisch" is not "was heißt X"), comparisons before meanings.
var patterns = []pattern{
	toEN(p("en", translate, `how (?:do you|do i|can i|would you|to) say (.+) in english`)),
	toEN(p("en", translate, `what(?: is|'s) (.+) in english`)),
	toEN(p("en", translate, `(?:what is|what's) the english (?:word|for) (?:for )?(.+)`)),
	p("en", translate, `translate (?:the word )?(.+?)(?: (?:into|to) english)?`),
	toEN(p("de", translate, `(?:wie sagt man|was heißt|was heisst|was ist) (.+) auf englisch`)),
	p("de", translate, `(?:übersetze|übersetz|übersetzen|übersetzung von) (.+?)(?: (?:ins|auf) englisch(?:e)?)?`),
	toEN(p("es", translate, `(?:cómo|como) se dice (.+) en (?:inglés|ingles)`)),
	toEN(p("es", translate, `(?:qué|que) es (.+) en (?:inglés|ingles)`)),
	p("es", translate, `(?:traduce|traducir|traduzca|traducción de) (.+?)(?: al (?:inglés|ingles))?`),
	toEN(p("fr", translate, `comment (?:dit on|dit-on|on dit|dire) (.+) en anglais`)),
	p("fr", translate, `(?:traduis|traduire|traduisez|traduction de) (.+?)(?: en anglais)?`),
	toEN(p("pt", translate, `como (?:se )?diz (.+) em (?:inglês|ingles)`)),
	p("pt", translate, `(?:traduz|traduza|traduzir|tradução de) (.+?)(?: para o (?:inglês|ingles))?`),
	toEN(p("it", translate, `come si dice (.+) in inglese`)),
	p("it", translate, `(?:traduci|tradurre|traduca|traduzione di) (.+?)(?: in inglese)?`),

	p("en", difference, `(?:what is |what's )?(?:the )?difference between (.+) and (.+)`),
	p("en", difference, `(?:when do i use |when should i use |should i use |do i use )?(.+) (?:or|vs|versus) (.+)`),
	p("de", difference, `(?:was ist der )?unterschied zwischen (.+) und (.+)`),
	p("es", difference, `(?:cuál es la |cual es la |la )?diferencia entre (.+) y (.+)`),
	p("fr", difference, `(?:quelle est la |la )?différence entre (.+) et (.+)`),
	p("pt", difference, `(?:qual é a |qual e a |a )?diferença entre (.+) e (.+)`),
	p("it", difference, `(?:qual è la |qual e la |la )?differenza (?:tra|fra) (.+) e (.+)`),

	p("en", meaning, `what does (?:the word |the phrase |the expression )?(.+) mean`),
	p("en", meaning, `what(?: is|'s) the (?:meaning|definition) of (?:the word |the phrase )?(.+)`),
	p("en", meaning, `(?:define|meaning of|definition of) (?:the word )?(.+)`),
	p("de", meaning, `was (?:bedeutet|heißt|heisst) (?:das wort |der ausdruck )?(.+)`),
	p("de", meaning, `(?:die )?bedeutung (?:von|des wortes) (.+)`),
	p("es", meaning, `(?:qué|que) (?:significa|quiere decir) (?:la palabra |la expresión )?(.+)`),
	p("es", meaning, `(?:el )?significado de (?:la palabra )?(.+)`),
	p("fr", meaning, `(?:que|qu'est ce que) (?:veut dire|signifie) (?:le mot |l'expression )?(.+)`),
	p("fr", meaning, `qu'est ce que (.+) veut dire`),
	p("fr", meaning, `(?:le )?(?:sens|signification) (?:de|du mot) (.+)`),
	p("pt", meaning, `o que (?:significa|quer dizer) (?:a palavra |a expressão )?(.+)`),
	p("pt", meaning, `(?:o )?significado de (?:a palavra )?(.+)`),
	p("it", meaning, `(?:che )?cosa (?:significa|vuol dire|vuole dire) (?:la parola |l'espressione )?(.+)`),
	p("it", meaning, `(?:il )?significato (?:di|della parola) (.+)`),
}

// keyword lists: each maps a normalized phrase to its language.
var (
	practiceWords = langWords(map[string][]string{
		"en": {"practice", "practise", "exercise", "exercises", "quiz", "quiz me", "test me", "drill", "gap fill", "worksheet"},
		"de": {"übung", "übungen", "üben", "aufgabe", "aufgaben", "abfragen"},
		"es": {"ejercicio", "ejercicios", "practicar", "práctica", "practica"},
		"fr": {"exercice", "exercices", "pratiquer", "entraîner", "m'entraîner", "entrainer"},
		"pt": {"exercício", "exercícios", "exercicio", "praticar", "prática"},
		"it": {"esercizio", "esercizi", "esercitarmi", "esercitarsi", "praticare"},
	})
	anotherWords = langWords(map[string][]string{
		"en": {"another", "another one", "more", "again", "next", "one more"},
		"de": {"noch eine", "noch einmal", "nochmal", "weiter", "mehr", "eine andere"},
		"es": {"otro", "otra", "más", "mas", "otra vez", "siguiente"},
		"fr": {"un autre", "une autre", "encore", "plus", "suivant"},
		"pt": {"outro", "outra", "mais", "de novo", "próximo"},
		"it": {"un altro", "un'altra", "altro", "altra", "ancora", "di più", "prossimo"},
	})
	grammarWords = langWords(map[string][]string{
		"en": {"grammar", "tense", "tenses", "how do i use", "when do i use", "when do we use", "how do you use", "how to use", "rule", "rules", "explain", "form"},
		"de": {"grammatik", "zeitform", "wie benutze ich", "wann benutze ich", "wann verwendet man", "wie verwendet man", "regel", "regeln", "erkläre", "erklär"},
		"es": {"gramática", "gramatica", "tiempo verbal", "cómo se usa", "como se usa", "cuándo se usa", "cuando se usa", "regla", "reglas", "explica", "explícame"},
		"fr": {"grammaire", "temps", "comment utiliser", "quand utiliser", "quand utilise t on", "règle", "règles", "explique", "explique moi"},
		"pt": {"gramática", "gramatica", "tempo verbal", "como usar", "quando usar", "quando se usa", "regra", "regras", "explica", "explique"},
		"it": {"grammatica", "tempo verbale", "come si usa", "quando si usa", "come usare", "regola", "regole", "spiega", "spiegami"},
	})
	// Whole messages of small talk (after normalization).
	smallTalk = map[kind]wordList{
		greeting: langWords(map[string][]string{
			"en": {"hi", "hello", "hey", "hi there", "hello there", "good morning", "good afternoon", "good evening"},
			"de": {"hallo", "guten tag", "guten morgen", "guten abend", "servus", "moin", "grüß gott"},
			"es": {"hola", "buenos días", "buenos dias", "buenas tardes", "buenas noches", "buenas"},
			"fr": {"bonjour", "salut", "bonsoir", "coucou"},
			"pt": {"olá", "ola", "oi", "bom dia", "boa tarde", "boa noite"},
			"it": {"ciao", "salve", "buongiorno", "buonasera"},
		}),
		thanks: langWords(map[string][]string{
			"en": {"thanks", "thank you", "thx", "thanks a lot", "thank you very much", "great thanks", "ok thanks", "cool thanks"},
			"de": {"danke", "vielen dank", "danke schön", "dankeschön", "danke sehr"},
			"es": {"gracias", "muchas gracias"},
			"fr": {"merci", "merci beaucoup"},
			"pt": {"obrigado", "obrigada", "muito obrigado", "muito obrigada"},
			"it": {"grazie", "grazie mille"},
		}),
		goodbye: langWords(map[string][]string{
			"en": {"bye", "goodbye", "bye bye", "see you", "see you later", "good night"},
			"de": {"tschüss", "tschüs", "auf wiedersehen", "bis bald", "bis später", "gute nacht"},
			"es": {"adiós", "adios", "hasta luego", "hasta pronto", "chao"},
			"fr": {"au revoir", "à bientôt", "a bientot", "à plus", "bonne nuit"},
			"pt": {"tchau", "até logo", "até mais", "adeus"},
			"it": {"arrivederci", "a presto", "buonanotte"},
		}),
		howAreYou: langWords(map[string][]string{
			"en": {"how are you", "how are you doing", "how's it going", "what's up"},
			"de": {"wie geht's", "wie geht es dir", "wie geht es ihnen", "wie gehts"},
			"es": {"qué tal", "que tal", "cómo estás", "como estas", "cómo está"},
			"fr": {"ça va", "ca va", "comment ça va", "comment vas tu", "comment allez vous"},
			"pt": {"tudo bem", "como vai", "como está", "como estás"},
			"it": {"come stai", "come va", "come sta"},
		}),
		help: langWords(map[string][]string{
			"en": {"help", "what can you do", "who are you", "what are you"},
			"de": {"hilfe", "was kannst du", "wer bist du"},
			"es": {"ayuda", "qué puedes hacer", "que puedes hacer", "quién eres", "quien eres"},
			"fr": {"aide", "que sais tu faire", "qui es tu", "que peux tu faire"},
			"pt": {"ajuda", "o que você pode fazer", "quem é você", "quem e voce"},
			"it": {"aiuto", "cosa sai fare", "chi sei", "cosa puoi fare"},
		}),
	}
)

// wordList maps normalized phrases to their language; keys is its phrases in a fixed order.
type wordList struct {
	lang map[string]string
	keys []string
}

func langWords(m map[string][]string) wordList {
	wl := wordList{lang: map[string]string{}}
	for lang, words := range m {
		for _, w := range words {
			wl.lang[normalize(w)] = lang
		}
	}
	for k := range wl.lang {
		wl.keys = append(wl.keys, k)
	}
	slices.Sort(wl.keys) // deterministic
	return wl
}

// find returns the language of the first phrase the normalized text contains.
func find(norm string, words wordList) (string, bool) {
	for _, k := range words.keys {
		if has(norm, k) {
			return words.lang[k], true
		}
	}
	return "", false
}

// fillers are dropped around a greeting or thanks ("hi tutor", "ok thanks so much").
var fillers = []string{"tutor", "so much", "ok", "okay", "a lot", "very much", "please", "bitte", "por favor", "s'il te plaît", "s'il vous plaît", "per favore"}

const maxPatternText = 300

// detect classifies the normalized message. A pattern's match counts only when accept takes
// it (the caller checks that the words compared are in the glossary, say); otherwise the
// keyword lists decide.
func detect(norm string, accept func(*intent) bool) intent {
	if norm == "" {
		return intent{kind: help}
	}
	// Questions are short: the patterns read the message's end only, so a pasted essay costs
	// no more than a question.
	tail := norm
	if len(tail) > maxPatternText {
		tail = tail[len(tail)-maxPatternText:]
		if i := strings.IndexByte(tail, ' '); i >= 0 {
			tail = tail[i+1:]
		}
	}
	for _, pt := range patterns {
		m := pt.re.FindStringSubmatch(tail)
		if m == nil {
			continue
		}
		in := intent{kind: pt.kind, lang: pt.lang, toEnglish: pt.toEnglish}
		for _, t := range m[1:] {
			in.terms = append(in.terms, strings.TrimSpace(t))
		}
		if accept(&in) {
			return in
		}
	}
	if lang, ok := find(norm, practiceWords); ok {
		return intent{kind: practice, lang: lang}
	}
	trimmed := norm
	for _, f := range fillers {
		trimmed = strings.TrimSpace(strings.ReplaceAll(" "+trimmed+" ", " "+f+" ", " "))
	}
	// "hola qué tal": small talk after a greeting is that small talk.
	rest := trimmed
	f := strings.Fields(trimmed)
	for n := min(3, len(f)); n >= 1; n-- {
		if _, ok := smallTalk[greeting].lang[strings.Join(f[:n], " ")]; ok && n < len(f) {
			rest = strings.Join(f[n:], " ")
			break
		}
	}
	for _, k := range []kind{greeting, thanks, goodbye, howAreYou, help} {
		if lang, ok := smallTalk[k].lang[trimmed]; ok {
			return intent{kind: k, lang: lang}
		}
		if lang, ok := smallTalk[k].lang[rest]; ok {
			return intent{kind: k, lang: lang}
		}
	}
	if lang, ok := anotherWords.lang[trimmed]; ok {
		return intent{kind: another, lang: lang}
	}
	if lang, ok := find(norm, grammarWords); ok {
		return intent{kind: grammar, lang: lang}
	}
	// A greeting that opens a longer message says which language it is in.
	first := strings.SplitN(norm, " ", 2)[0]
	if lang, ok := smallTalk[greeting].lang[first]; ok {
		return intent{kind: unknown, lang: lang}
	}
	return intent{kind: unknown}
}

// stopwords are dropped from retrieval queries (question words, articles, pronouns, auxiliaries
// of the six languages).
var stopwords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a an the and or but of to in on at for with from by about as is are was were be been
	do does did can could would should will i you he she it we they me my your what which who how when where why this that these those
	there here please tell explain give show some any not no yes if so than then also just very really much many more most
	der die das ein eine und oder ist sind wie was wer wann warum ich du er sie es wir ihr mir mich bitte mit von zu im auf für nicht
	el la los las un una y o es son como qué que quién cuándo por para con de del en mi me yo tú te se no sí
	le les une et ou est sont comment quoi qui quand pourquoi je tu il elle nous vous moi avec pour dans sur du des pas
	o os um uma e é são quem quando porque eu você com para em no na do da não
	il lo gli una e è sono come cosa chi quando perché io tu lui lei noi voi mi con per di da nel non`) {
		m[w] = true
	}
	return m
}()

// maxQueryWords bounds a retrieval query.
const maxQueryWords = 12

// contentWords are the words of norm worth searching for, at most maxQueryWords.
func contentWords(norm string) []string {
	var out []string
	for w := range strings.FieldsSeq(norm) {
		if !stopwords[w] && len([]rune(w)) > 2 && !slices.Contains(out, w) {
			out = append(out, w)
			if len(out) == maxQueryWords {
				break
			}
		}
	}
	return out
}
