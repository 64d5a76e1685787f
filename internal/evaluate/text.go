package evaluate

import (
	_ "embed"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
)

//go:embed data/words.txt
var wordsData string

// offList is the band of a word the embedded frequency list does not know (band 1 is the most
// frequent, band 4 the rarest listed).
const offList = 0

var (
	// bandOf maps a listed lemma to its band.
	bandOf = map[string]int{}
	// stemBand maps a Snowball stem to the lowest band among the listed lemmas with that stem.
	stemBand = map[string]int{}
	// irregularLemma maps irregular inflections to their lemma.
	irregularLemma = map[string]string{
		"am": "be", "is": "be", "are": "be", "was": "be", "were": "be", "been": "be", "being": "be",
		"has": "have", "had": "have", "having": "have", "does": "do", "did": "do", "done": "do",
		"children": "child", "men": "man", "women": "woman", "feet": "foot", "teeth": "tooth",
		"mice": "mouse", "geese": "goose", "lives": "life", "wives": "wife", "knives": "knife",
		"better": "good", "best": "good", "worse": "bad", "worst": "bad", "further": "far",
		"farther": "far", "an": "a", "data": "datum", "criteria": "criterion", "media": "media",
		"phenomena": "phenomenon", "analyses": "analysis", "crises": "crisis", "people": "people",
	}
	// pastToBase and participleToBase invert irregularVerbs.
	pastToBase       = map[string]string{}
	participleToBase = map[string]string{}
	// participleOf gives the past participle of an irregular base.
	participleOf = map[string]string{}
	// pastOf gives the past simple of an irregular base.
	pastOf = map[string]string{}
	// topicOf maps a word (or its stem) to its topic group's key.
	topicOf = map[string]string{}
)

func init() {
	band := 0
	for _, line := range strings.Split(wordsData, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			continue
		case strings.HasPrefix(line, "@band"):
			band = int(line[len(line)-1] - '0')
			continue
		}
		for _, w := range strings.Fields(line) {
			if _, ok := bandOf[w]; !ok {
				bandOf[w] = band
			}
			s := english.Stem(w, true)
			if b, ok := stemBand[s]; !ok || band < b {
				stemBand[s] = band
			}
		}
	}
	for _, v := range irregularVerbs {
		base, past, pp := v[0], v[1], v[2]
		pastOf[base], participleOf[base] = past, pp
		if _, ok := pastToBase[past]; !ok {
			pastToBase[past] = base
		}
		if _, ok := participleToBase[pp]; !ok {
			participleToBase[pp] = base
		}
		for _, f := range []string{past, pp} {
			if _, ok := irregularLemma[f]; !ok && f != base {
				irregularLemma[f] = base
			}
		}
	}
	irregularLemma["were"] = "be"
	for _, g := range topicGroups {
		for _, w := range g {
			if _, ok := topicOf[w]; !ok {
				topicOf[w] = g[0]
			}
			if s := english.Stem(w, true); topicOf[s] == "" {
				topicOf[s] = g[0]
			}
		}
	}
}

// tokKind tells words, numbers and punctuation apart.
type tokKind uint8

const (
	tWord tokKind = iota
	tNumber
	tPunct
	tBreak // a paragraph break (blank line)
)

// token is one word, number or punctuation mark of the text.
type token struct {
	text  string // as written (apostrophes normalised)
	low   string
	kind  tokKind
	start int // byte offset in the normalised text
	// spaceBefore tells whether whitespace preceded the token; newline whether a line break did.
	spaceBefore, newline bool
}

func (t token) isWord() bool { return t.kind == tWord }

// normalise replaces typographic quotes and dashes so patterns see one form.
func normalise(s string) string { return normaliser.Replace(s) }

var normaliser = strings.NewReplacer("\u2019", "'", "\u2018", "'", "\u02bc", "'", "\u201c", "\"", "\u201d", "\"",
	"\u2013", "-", "\u2014", " - ", "\u2026", "...", "\u00a0", " ", "\r\n", "\n", "\r", "\n")

// tokenize splits normalised text into tokens. Words keep inner apostrophes and hyphens
// ("don't", "well-known"); a trailing hyphen marks a cut-off word in speech ("wen-").
func tokenize(s string) []token {
	var toks []token
	space, nl := true, false
	newlines := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\n':
			newlines++
			space, nl = true, true
			i += size
			continue
		case unicode.IsSpace(r):
			space = true
			i += size
			continue
		}
		if newlines >= 2 && len(toks) > 0 {
			toks = append(toks, token{kind: tBreak, start: i, spaceBefore: true})
		}
		newlines = 0
		start := i
		switch {
		case unicode.IsLetter(r):
			j := i + size
			for j < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				if unicode.IsLetter(r2) || unicode.IsDigit(r2) {
					j += n2
					continue
				}
				if (r2 == '\'' || r2 == '-') && j+n2 < len(s) {
					r3, _ := utf8.DecodeRuneInString(s[j+n2:])
					if unicode.IsLetter(r3) {
						j += n2
						continue
					}
				}
				break
			}
			toks = append(toks, token{text: s[start:j], kind: tWord})
			i = j
		case unicode.IsDigit(r):
			j := i + size
			for j < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				if unicode.IsDigit(r2) || ((r2 == '.' || r2 == ',') && j+n2 < len(s) && isDigitByte(s[j+n2])) {
					j += n2
					continue
				}
				break
			}
			// "3rd", "1990s", "5pm" stay one number.
			for j < len(s) && isLetterByte(s[j]) {
				j++
			}
			toks = append(toks, token{text: s[start:j], kind: tNumber})
			i = j
		default:
			j := i + size
			// Runs of the same mark ("...", "!!", "--") are one token.
			for j < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				if r2 != r {
					break
				}
				j += n2
			}
			toks = append(toks, token{text: s[start:j], kind: tPunct})
			i = j
		}
		t := &toks[len(toks)-1]
		t.start, t.spaceBefore, t.newline, t.low = start, space, nl, strings.ToLower(t.text)
		space, nl = false, false
	}
	return toks
}

func isDigitByte(b byte) bool  { return b >= '0' && b <= '9' }
func isLetterByte(b byte) bool { return (b|0x20) >= 'a' && (b|0x20) <= 'z' }

// abbreviations end with a full stop that does not end a sentence (so do initials and the
// letters of "e.g." and "a.m.").
var abbreviations = set(`mr mrs ms dr prof st etc e.g i.e vs jr sr no approx`)

// sentence is a run of tokens ending with . ! ? or a paragraph break.
type sentence struct {
	toks []token
	// terminated is false when the sentence has no closing punctuation.
	terminated bool
	paragraph  int
}

// words returns the word and number tokens of the sentence.
func (s sentence) words() []token {
	var out []token
	for _, t := range s.toks {
		if t.kind == tWord || t.kind == tNumber {
			out = append(out, t)
		}
	}
	return out
}

// splitSentences groups tokens into sentences.
func splitSentences(toks []token) []sentence {
	var out []sentence
	var cur []token
	para := 0
	flush := func(term bool) {
		if n := len(cur); n > 0 && cur[n-1].kind == tPunct && strings.ContainsAny(cur[n-1].text, ".!?") {
			term = true // an abbreviation's full stop at the very end
		}
		if len(cur) > 0 {
			out = append(out, sentence{toks: cur, terminated: term, paragraph: para})
		}
		cur = nil
	}
	for i, t := range toks {
		if t.kind == tBreak {
			flush(false)
			para++
			continue
		}
		cur = append(cur, t)
		if t.kind != tPunct {
			continue
		}
		end := strings.ContainsAny(t.text, "!?") || (strings.HasPrefix(t.text, ".") && t.text != "..")
		if t.text == "." && i > 0 && toks[i-1].kind == tWord && (abbreviations[toks[i-1].low] || len(toks[i-1].text) == 1 && toks[i-1].text != "I") {
			end = false
		}
		if t.text == "..." && i+1 < len(toks) && toks[i+1].kind == tWord && !startsUpper(toks[i+1].text) {
			end = false // a trailing-off pause inside a sentence
		}
		if end {
			flush(true)
		}
	}
	flush(false)
	return out
}

func startsUpper(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r)
}

// looksEnglish rejects tokens that cannot be English words (keyboard mashing, long consonant
// runs), so unknown strings are not credited as rare vocabulary.
func looksEnglish(w string) bool {
	if len(w) < 2 || len(w) > 20 {
		return len(w) == 1 && (w == "a" || w == "i")
	}
	vowels, run, same := 0, 0, 1
	var prev rune
	for _, r := range w {
		if r == '\'' || r == '-' {
			run, prev = 0, 0
			continue
		}
		if r < 'a' || r > 'z' {
			if !unicode.IsLetter(r) {
				return false
			}
		}
		if strings.ContainsRune("aeiouy", r) {
			vowels++
			run = 0
		} else if run++; run > 4 {
			return false
		}
		if r == prev {
			if same++; same > 2 {
				return false
			}
		} else {
			same = 1
		}
		prev = r
	}
	return vowels > 0
}

// stripClitic removes a contraction or possessive ending: "it's" -> "it", "don't" -> "do".
func stripClitic(w string) string {
	switch {
	case w == "can't" || w == "cannot":
		return "can"
	case w == "won't":
		return "will"
	case w == "shan't":
		return "shall"
	case w == "ain't":
		return "be"
	case strings.HasSuffix(w, "n't"):
		return w[:len(w)-3]
	}
	for _, suf := range []string{"'s", "'re", "'ve", "'ll", "'d", "'m", "s'"} {
		if strings.HasSuffix(w, suf) && len(w) > len(suf) {
			if suf == "s'" {
				return w[:len(w)-1]
			}
			return w[:len(w)-len(suf)]
		}
	}
	return w
}

// lemma resolves an inflected word to a listed lemma and its band; unknown words come back
// with their Snowball stem's band, or offList.
func lemma(w string) (string, int) {
	w = stripClitic(w)
	if b, ok := bandOf[w]; ok {
		return w, b
	}
	if l, ok := irregularLemma[w]; ok {
		if b, ok := bandOf[l]; ok {
			return l, b
		}
	}
	for _, c := range inflectionCandidates(w) {
		if b, ok := bandOf[c]; ok {
			return c, b
		}
	}
	s := english.Stem(w, true)
	if b, ok := stemBand[s]; ok {
		return s, b
	}
	return w, offList
}

// inflectionCandidates undoes regular inflections: plural and third person -s, -ed, -ing,
// comparatives, -ly adverbs and a few derivational endings, most specific first.
func inflectionCandidates(w string) []string {
	var c []string
	add := func(stem string, ends ...string) {
		for _, e := range ends {
			if len(stem)+len(e) >= 2 {
				c = append(c, stem+e)
			}
		}
	}
	undouble := func(stem string) {
		if n := len(stem); n >= 3 && stem[n-1] == stem[n-2] && !strings.ContainsRune("aeiouls", rune(stem[n-1])) {
			c = append(c, stem[:n-1])
		}
	}
	for _, suf := range []string{"ies", "ied", "ier", "iest", "ily", "iness", "iful"} {
		if strings.HasSuffix(w, suf) {
			add(strings.TrimSuffix(w, suf), "y")
		}
	}
	if strings.HasSuffix(w, "ves") {
		add(strings.TrimSuffix(w, "ves"), "f", "fe")
	}
	for _, suf := range []string{"es", "s", "ed", "ing", "er", "est", "ly", "ness", "ment", "ful", "less", "ally"} {
		if !strings.HasSuffix(w, suf) || len(w) <= len(suf)+1 {
			continue
		}
		stem := strings.TrimSuffix(w, suf)
		switch suf {
		case "ed", "ing", "er", "est":
			add(stem, "", "e")
			undouble(stem)
		case "ly":
			add(stem, "", "le", "e")
		case "ally":
			add(stem, "", "al")
		default:
			add(stem, "")
		}
	}
	return c
}

// topicKey is the topical key of a word: its topic group, else its lemma's Snowball stem.
func topicKey(w string) string {
	w = stripClitic(w)
	if k, ok := topicOf[w]; ok {
		return k
	}
	l, _ := lemma(w)
	if k, ok := topicOf[l]; ok {
		return k
	}
	s := english.Stem(l, true)
	if k, ok := topicOf[s]; ok {
		return k
	}
	return s
}

// verbBaseOfS returns the base of a third-person -s form of a known verb ("goes" -> "go").
func verbBaseOfS(w string) (string, bool) {
	if !strings.HasSuffix(w, "s") || len(w) < 3 || baseVerbs[w] {
		return "", false
	}
	switch w {
	case "has":
		return "have", true
	case "does":
		return "do", true
	case "is":
		return "be", true
	}
	cands := []string{}
	if strings.HasSuffix(w, "ies") {
		cands = append(cands, w[:len(w)-3]+"y")
	}
	if strings.HasSuffix(w, "es") {
		cands = append(cands, w[:len(w)-2])
	}
	cands = append(cands, w[:len(w)-1])
	for _, c := range cands {
		if baseVerbs[c] {
			return c, true
		}
	}
	return "", false
}

// verbBaseOfPast returns the base of a past form of a known verb ("went" -> "go",
// "wanted" -> "want"); a word that is itself a base verb ("need", "feed") is not a past form.
func verbBaseOfPast(w string) (string, bool) {
	if b, ok := pastToBase[w]; ok && b != w {
		return b, true
	}
	if b, ok := overregularised[w]; ok {
		return pastToBase[b], true
	}
	if baseVerbs[w] || !strings.HasSuffix(w, "ed") || len(w) < 4 {
		return "", false
	}
	stem := w[:len(w)-2]
	cands := []string{stem, stem + "e"}
	if strings.HasSuffix(w, "ied") {
		cands = append([]string{w[:len(w)-3] + "y"}, cands...)
	}
	if n := len(stem); n >= 3 && stem[n-1] == stem[n-2] {
		cands = append(cands, stem[:n-1])
	}
	for _, c := range cands {
		if baseVerbs[c] {
			return c, true
		}
	}
	return "", false
}

// thirdPerson gives the -s form of a base verb.
func thirdPerson(v string) string {
	switch {
	case v == "have":
		return "has"
	case v == "be":
		return "is"
	case v == "do" || v == "go":
		return v + "es"
	case strings.HasSuffix(v, "y") && len(v) > 2 && !strings.ContainsRune("aeiou", rune(v[len(v)-2])):
		return v[:len(v)-1] + "ies"
	case strings.HasSuffix(v, "s") || strings.HasSuffix(v, "x") || strings.HasSuffix(v, "z") ||
		strings.HasSuffix(v, "ch") || strings.HasSuffix(v, "sh") || strings.HasSuffix(v, "o"):
		return v + "es"
	}
	return v + "s"
}

// ingForm gives the -ing form of a base verb.
func ingForm(v string) string {
	switch {
	case strings.HasSuffix(v, "ie"):
		return v[:len(v)-2] + "ying"
	case strings.HasSuffix(v, "ee") || v == "be":
		return v + "ing"
	case strings.HasSuffix(v, "e") && len(v) > 2:
		return v[:len(v)-1] + "ing"
	}
	if n := len(v); (n == 3 || (n == 4 && !strings.ContainsRune("aeiou", rune(v[0])))) && isCVC(v) {
		return v + v[n-1:] + "ing"
	}
	return v + "ing"
}

// isCVC tells whether a short word ends consonant-vowel-consonant (so "swim" -> "swimming").
func isCVC(v string) bool {
	n := len(v)
	vow := func(b byte) bool { return strings.IndexByte("aeiou", b) >= 0 }
	return !vow(v[n-3]) && vow(v[n-2]) && !vow(v[n-1]) && strings.IndexByte("wxy", v[n-1]) < 0
}
