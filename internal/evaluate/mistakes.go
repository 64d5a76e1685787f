package evaluate

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Mistake is one learner error found in a text, with a concrete correction.
type Mistake struct {
	// Rule is the stable id of the pattern that found it ("have-past-simple", ...).
	Rule string
	// Kind is "grammar", "word_choice" or "mechanics" (capitalisation, punctuation, spacing).
	Kind string
	// Found is the text as written; Fix is what to write instead.
	Found, Fix string
	// Message explains the correction ("“I have went” → “I have gone”: ...").
	Message string
}

// Mistake kinds.
const (
	kindGrammar    = "grammar"
	kindWordChoice = "word_choice"
	kindMechanics  = "mechanics"
)

// cursor reads the tokens of one sentence.
type cursor struct {
	toks []token
	src  string
}

// w is the lower-case word (or number) at i, "" for punctuation and out of range.
func (c cursor) w(i int) string {
	if i < 0 || i >= len(c.toks) || c.toks[i].kind == tPunct || c.toks[i].kind == tBreak {
		return ""
	}
	return c.toks[i].low
}

func (c cursor) isNum(i int) bool { return i >= 0 && i < len(c.toks) && c.toks[i].kind == tNumber }

// found is the source text of tokens [i, j).
func (c cursor) found(i, j int) string {
	a, b := c.toks[i].start, c.toks[j-1].start+len(c.toks[j-1].text)
	return strings.Join(strings.Fields(c.src[a:b]), " ")
}

// fix rebuilds tokens [i, j) with replacements (index -> new text, "" drops the token), keeping
// the capital of a sentence-initial word.
func (c cursor) fix(i, j int, repl map[int]string) string {
	var out []string
	for k := i; k < j; k++ {
		t := c.toks[k].text
		if r, ok := repl[k]; ok {
			t = r
			if k == i && startsUpper(c.toks[k].text) && t != "" {
				t = capitalise(t)
			}
		}
		if t != "" {
			out = append(out, t)
		}
	}
	s := strings.Join(out, " ")
	return strings.NewReplacer(" ,", ",", " .", ".", " '", "'").Replace(s)
}

func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// rule is one learner-error pattern: match reports the end of a match starting at i (0: none),
// the correction and the reason.
type rule struct {
	id, kind string
	// writingOnly rules judge spelling conventions a transcript does not show.
	writingOnly bool
	match       func(c cursor, i int) (end int, fix, why string)
}

// mistakeMessage formats the correction of a finding.
func mistakeMessage(found, fix, why string) string {
	return fmt.Sprintf("“%s” → “%s”: %s", found, fix, why)
}

var (
	haveAux      = set(`have has had haven't hasn't hadn't`)
	beForms      = set(`am is are was were be been being`)
	midAdverbs   = set(`already never just ever not always recently also finally often really only still even actually usually`)
	numberWords  = set(`a an one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty many several few some`)
	timeUnits    = set(`year years month months week weeks day days hour hours minute minutes decade decades century centuries time ages`)
	objPronouns  = set(`me him her us them`)
	negators     = set(`not never no don't doesn't didn't can't cannot won't isn't aren't wasn't weren't haven't hasn't hadn't couldn't shouldn't wouldn't mustn't`)
	clauseBreaks = set(`but and or because that if when which who although so while`)
	negWords     = map[string]string{"nothing": "anything", "nobody": "anybody", "nowhere": "anywhere", "noone": "anyone", "never": "ever", "none": "any"}
	// thirdPersonVerbs are base verbs whose bare form after he/she/it can only be a missing -s
	// (verbs whose past or participle looks the same, like "put" or "come", are left out).
	thirdPersonVerbs = set(`go like want need live work play make take have do know think say get see
look love eat drink watch study speak write help try walk feel seem mean give find tell ask use
open close start finish listen cook clean sleep leave wait call buy sell teach learn understand
remember forget believe hope wish enjoy hate prefer visit travel arrive begin bring send stay
change happen agree depend sound smell taste matter belong contain include remain cause allow
provide show keep sing dance swim drive fly sit stand wear win lose pay meet move grow turn carry
hold`)
	// noThirdPersonBefore: after these the bare verb is right ("does he go", "let it go").
	noThirdPersonBefore = set(`do does did can could will would shall should may might must don't
doesn't didn't won't can't couldn't wouldn't shouldn't mustn't let make made makes help helped
have has had see saw watch watched hear heard why where what when how`)
	comparatives       = map[string]bool{}
	superlatives       = map[string]bool{}
	vowelSoundH        = set(`hour hours hourly honest honestly honour honor honourable honorable heir`)
	beBaseVerbs        = set(`go come want need know eat watch speak understand think learn visit travel cook swim drive sleep write listen make take see buy`)
	gerundVerbs        = set(`enjoy enjoys enjoyed enjoying avoid avoids avoided avoiding finish finishes finished mind suggest suggests suggested practise practises practised practice practices practiced imagine recommend recommends recommended deny denies denied admit admits admitted`)
	dayNames           = set(`monday tuesday wednesday thursday friday saturday sunday`)
	properLower        = set(`monday tuesday wednesday thursday friday saturday sunday january february april june july september october november december english french german spanish italian chinese japanese russian arabic portuguese british american european african asian polish dutch greek turkish korean indian mexican brazilian canadian`)
	countablePlurals   = set(`people friends things problems books cars children students places countries questions mistakes jobs hours days years times ideas reasons ways houses animals languages words games trees cities shops tourists films movies songs photos pictures apps phones computers buildings rooms flowers dogs cats exams lessons activities opportunities`)
	everySingular      = map[string]string{"days": "day", "weeks": "week", "months": "month", "years": "year", "students": "student", "people": "person", "times": "time", "children": "child", "friends": "friend", "mornings": "morning", "evenings": "evening", "nights": "night", "weekends": "weekend"}
	uncountables       = map[string]string{"informations": "information", "advices": "advice", "furnitures": "furniture", "equipments": "equipment", "homeworks": "homework", "knowledges": "knowledge", "luggages": "luggage", "baggages": "baggage", "feedbacks": "feedback", "softwares": "software", "datas": "data", "musics": "music", "researchs": "research"}
	badPlurals         = map[string]string{"peoples": "people", "childrens": "children", "childs": "children", "womans": "women", "womens": "women", "mens": "men", "foots": "feet", "tooths": "teeth", "sheeps": "sheep", "fishs": "fish"}
	peoplesOK          = set(`the indigenous native various different ancient tribal first european african asian`)
	collocationFillers = set(`a the some many lots lot of few`)
	motionVerbs        = set(`go goes went going gone come comes came coming return returned returning get got arrive arrived walk walked drive drove`)
	tellOf             = map[string]string{"say": "tell", "says": "tells", "said": "told", "saying": "telling"}
)

func init() {
	adjs := strings.Fields(`big small easy happy cheap fast large long short tall old young strong hard high low
nice rich safe simple quick slow warm cold hot busy heavy light wide pretty funny healthy great close
early clean dirty bright dark deep fresh friendly lucky noisy quiet sad smart soft sweet thin thick
tiny ugly weak wet dry near cool poor lazy angry hungry crazy`)
	for _, a := range adjs {
		stem := a
		switch {
		case strings.HasSuffix(a, "y") && !strings.ContainsRune("aeiou", rune(a[len(a)-2])):
			stem = a[:len(a)-1] + "i"
		case strings.HasSuffix(a, "e"):
			stem = a[:len(a)-1]
		case len(a) == 3 && isCVC(a):
			stem = a + a[2:]
		}
		comparatives[stem+"er"], superlatives[stem+"est"] = true, true
	}
	comparatives["better"], comparatives["worse"] = true, true
	superlatives["best"], superlatives["worst"] = true, true
}

// vowelSound tells whether a word starts with a vowel sound (for a/an).
func vowelSound(w string) bool {
	if vowelSoundH[w] || strings.HasPrefix(w, "hour") || strings.HasPrefix(w, "honest") || strings.HasPrefix(w, "hono") {
		return true
	}
	if w == "" || !strings.ContainsRune("aeiou", rune(w[0])) {
		return false
	}
	for _, p := range []string{"one", "once", "eu", "ewe", "use", "usu", "uti", "ure", "uri", "uro", "ura", "uni", "ubiq", "uk"} {
		if strings.HasPrefix(w, p) {
			return strings.HasPrefix(w, "unin") || strings.HasPrefix(w, "unim") || strings.HasPrefix(w, "onion") ||
				strings.HasPrefix(w, "unid") || strings.HasPrefix(w, "unio") && !strings.HasPrefix(w, "union")
		}
	}
	return true
}

// rules are the learner-error patterns, each tested with positive and negative sentences.
var rules = []rule{
	{id: "have-past-simple", kind: kindGrammar, match: func(c cursor, i int) (int, string, string) {
		a := c.w(i)
		if !haveAux[a] && !strings.HasSuffix(a, "'ve") {
			return 0, "", ""
		}
		j := i + 1
		if i == 0 && subjectPronouns[c.w(j)] {
			j++ // "Have you ever went ...?"
		}
		for k := 0; k < 2 && midAdverbs[c.w(j)]; k++ {
			j++
		}
		v := c.w(j)
		base, ok := pastToBase[v]
		if !ok || participleOf[base] == v || v == "lay" || v == "bit" || v == "bore" {
			return 0, "", ""
		}
		pp := participleOf[base]
		return j + 1, c.fix(i, j+1, map[int]string{j: pp}),
			fmt.Sprintf("after have/has/had use the past participle (%s – %s – %s).", base, v, pp)
	}},
	{id: "passive-past-simple", kind: kindGrammar, match: func(c cursor, i int) (int, string, string) {
		if a := c.w(i); !beForms[a] || a == "be" {
			return 0, "", ""
		}
		v := c.w(i + 1)
		base, ok := pastToBase[v]
		if !ok || participleOf[base] == v || base == "be" || v == "lay" || v == "bit" || v == "bore" || v == "went" {
			return 0, "", ""
		}
		pp := participleOf[base]
		return i + 2, c.fix(i, i+2, map[int]string{i + 1: pp}),
			fmt.Sprintf("the passive is be + past participle (%s – %s – %s).", base, v, pp)
	}},
	{id: "overregularised-past", kind: kindGrammar, match: func(c cursor, i int) (int, string, string) {
		v := c.w(i)
		right, ok := overregularised[v]
		if !ok {
			return 0, "", ""
		}
		base := pastToBase[right]
		return i + 1, c.fix(i, i+1, map[int]string{i: right}),
			fmt.Sprintf("%s is irregular (%s – %s – %s).", base, base, pastOf[base], participleOf[base])
	}},
	{id: "do-support-form", kind: kindGrammar, match: func(c cursor, i int) (int, string, string) {
		a := c.w(i)
		var j int
		switch {
		case a == "didn't" || a == "don't" || a == "doesn't":
			j = i + 1
		case (a == "did" || a == "does" || a == "do") && c.w(i+1) == "not":
			j = i + 2
		case (a == "did" || a == "does" || a == "do") && subjectPronouns[c.w(i+1)]:
			j = i + 2
		default:
			return 0, "", ""
		}
		for midAdverbs[c.w(j)] && c.w(j) != "not" {
			j++
		}
		v := c.w(j)
		base, ok := verbBaseOfPast(v)
		if !ok {
			if base, ok = verbBaseOfS(v); !ok || base == "be" {
				return 0, "", ""
			}
		}
		return j + 1, c.fix(i, j+1, map[int]string{j: base}), "after do/does/did use the base form of the verb."
	}},
	{id: "third-person-s", kind: kindGrammar, match: func(c cursor, i int) (int, string, string) {
		j := i + 1
		subj := c.w(i)
		switch {
		case thirdSingular[subj]:
		case (subj == "my" || subj == "his" || subj == "her" || subj == "our" || subj == "your" || subj == "their") && singularKin[c.w(i+1)]:
			j = i + 2
		default:
			return 0, "", ""
		}
		if noThirdPersonBefore[c.w(i-1)] || subjunctive(c, i) {
			return 0, "", ""
		}
		v := c.w(j)
		if v == "don't" {
			return j + 1, c.fix(i, j+1, map[int]string{j: "doesn't"}), "with he/she/it use doesn't, not don't."
		}
		if !thirdPersonVerbs[v] {
			return 0, "", ""
		}
		return j + 1, c.fix(i, j+1, map[int]string{j: thirdPerson(v)}),
			"in the present simple, he/she/it (or one person) takes a verb ending in -s."
	}},
	{id: "double-comparative", kind: kindGrammar, match: func(c cursor, i int) (int, string, string) {
		a, v := c.w(i), c.w(i+1)
		if (a == "more" && comparatives[v]) || (a == "most" && superlatives[v]) {
			return i + 2, c.fix(i, i+2, map[int]string{i: ""}),
				fmt.Sprintf("“%s” is already a comparative or superlative form; don't add “%s”.", v, a)
		}
		return 0, "", ""
	}},
	{id: "be-agree", kind: kindGrammar, match: func(c cursor, i int) (int, string, string) {
		a := c.w(i)
		subj, contracted := "", false
		switch {
		case a == "am" || a == "is" || a == "are" || a == "was" || a == "were":
			subj = c.w(i - 1)
		case strings.HasSuffix(a, "'m") || strings.HasSuffix(a, "'re") || (strings.HasSuffix(a, "'s") && a != "let's"):
			subj, contracted = stripClitic(a), true
		default:
			return 0, "", ""
		}
		j, neg := i+1, false
		if c.w(j) == "not" {
			j, neg = j+1, true
		}
		v := c.w(j)
		if v != "agree" && v != "disagree" {
			return 0, "", ""
		}
		third := thirdSingular[subj] || subj == "that" || (a == "is" && !subjectPronouns[subj])
		verb := v
		switch {
		case neg && third:
			verb = "doesn't " + v
		case neg:
			verb = "don't " + v
		case third:
			verb = v + "s"
		}
		repl := map[int]string{i: "", j: verb}
		if neg {
			repl[i+1] = ""
		}
		if contracted {
			repl[i] = c.toks[i].text[:len(subj)]
		}
		return j + 1, c.fix(i, j+1, repl), "agree is a verb, not an adjective: no am/is/are before it."
	}},
	{id: "uncountable-plural", kind: kindGrammar, match: func(c cursor, i int) (int, string, string) {
		right, ok := uncountables[c.w(i)]
		if !ok {
			return 0, "", ""
		}
		return i + 1, c.fix(i, i+1, map[int]string{i: right}),
			fmt.Sprintf("%s is uncountable: it has no plural (say “pieces of %s” to count it).", right, right)
	}},
	{id: "irregular-plural", kind: kindGrammar, match: func(c cursor, i int) (int, string, string) {
		v := c.w(i)
		right, ok := badPlurals[v]
		if !ok || (v == "peoples" && peoplesOK[c.w(i-1)]) {
			return 0, "", ""
		}
		return i + 1, c.fix(i, i+1, map[int]string{i: right}), fmt.Sprintf("the plural is “%s”.", right)
	}},
	{id: "article-a-an", kind: kindGrammar, match: func(c cursor, i int) (int, string, string) {
		a := c.w(i)
		if (a != "a" && a != "an") || i+1 >= len(c.toks) || c.toks[i+1].kind != tWord {
			return 0, "", ""
		}
		if c.toks[i].text == "A" && i > 0 {
			return 0, "", "" // "vitamin A", "grade A"
		}
		next := c.toks[i+1].text
		if len(next) > 1 && strings.ToUpper(next) == next {
			return 0, "", "" // acronyms: "a UN report", "an MP"
		}
		v := vowelSound(c.w(i + 1))
		switch {
		case a == "a" && v:
			return i + 2, c.fix(i, i+2, map[int]string{i: "an"}), "use “an” before a vowel sound."
		case a == "an" && !v:
			return i + 2, c.fix(i, i+2, map[int]string{i: "a"}), "use “a” before a consonant sound."
		}
		return 0, "", ""
	}},
	{id: "since-duration", kind: kindGrammar, match: func(c cursor, i int) (int, string, string) {
		if c.w(i) != "since" {
			return 0, "", ""
		}
		j := i + 1
		if c.w(j) == "long" && c.w(j+1) == "time" {
			return j + 2, c.fix(i, j+2, map[int]string{i: "for a"}), "use “for” with a length of time and “since” with a starting point (since 2020)."
		}
		if !c.isNum(j) && !numberWords[c.w(j)] {
			return 0, "", ""
		}
		j++
		if c.w(j) == "long" {
			j++
		}
		if !timeUnits[c.w(j)] || c.w(j+1) == "ago" {
			return 0, "", ""
		}
		return j + 1, c.fix(i, j+1, map[int]string{i: "for"}), "use “for” with a length of time and “since” with a starting point (since 2020)."
	}},
	{id: "explain-to", kind: kindGrammar, match: func(c cursor, i int) (int, string, string) {
		v := c.w(i)
		if !strings.HasPrefix(v, "explain") || !objPronouns[c.w(i+1)] || c.w(i+2) == "to" {
			return 0, "", ""
		}
		return i + 2, c.fix(i, i+2, map[int]string{i: c.toks[i].text + " to"}), "explain takes “to” before the person (explain something to someone)."
	}},
	{id: "say-tell", kind: kindWordChoice, match: func(c cursor, i int) (int, string, string) {
		t, ok := tellOf[c.w(i)]
		if !ok || !objPronouns[c.w(i+1)] || c.w(i+2) == "to" {
			return 0, "", ""
		}
		return i + 2, c.fix(i, i+2, map[int]string{i: t}), "say is not followed by the person: tell someone, say something (to someone)."
	}},
	{id: "verb-about", kind: kindGrammar, match: func(c cursor, i int) (int, string, string) {
		v := c.w(i)
		for _, p := range []string{"discuss", "mention", "emphasise", "emphasize", "describe"} {
			if strings.HasPrefix(v, p) && len(v) <= len(p)+3 && c.w(i+1) == "about" {
				return i + 2, c.fix(i, i+2, map[int]string{i + 1: ""}),
					fmt.Sprintf("%s takes a direct object, with no “about” (%s the problem).", p, p)
			}
		}
		if strings.HasPrefix(v, "return") && len(v) <= 9 && c.w(i+1) == "back" {
			return i + 2, c.fix(i, i+2, map[int]string{i + 1: ""}), "return already means go back: drop “back”."
		}
		if (v == "lack" || v == "lacks" || v == "lacked") && c.w(i+1) == "of" && (subjectPronouns[c.w(i-1)] || c.w(i-1) == "people") {
			return i + 2, c.fix(i, i+2, map[int]string{i + 1: ""}), "the verb lack takes a direct object (they lack money); “a lack of” is the noun."
		}
		return 0, "", ""
	}},
	{id: "double-negative", kind: kindGrammar, match: func(c cursor, i int) (int, string, string) {
		a := c.w(i)
		if !negators[a] || a == "no" {
			return 0, "", ""
		}
		for j := i + 1; j <= i+5 && j < len(c.toks); j++ {
			v := c.w(j)
			if v == "" || clauseBreaks[v] {
				return 0, "", ""
			}
			if r, ok := negWords[v]; ok && !(a == "never" && v == "never") {
				return j + 1, c.fix(i, j+1, map[int]string{j: r}), "one negative is enough in standard English."
			}
			if v == "no" && c.w(j+1) != "" && c.w(j+1) != "longer" && c.w(j+1) != "doubt" && c.w(j+1) != "matter" {
				return j + 1, c.fix(i, j+1, map[int]string{j: "any"}), "one negative is enough in standard English."
			}
			if v == "no" && c.w(j+1) == "longer" {
				return j + 1, c.fix(i, j+1, map[int]string{j: "any"}), "one negative is enough in standard English."
			}
		}
		return 0, "", ""
	}},
	{id: "have-age", kind: kindGrammar, match: func(c cursor, i int) (int, string, string) {
		v := c.w(i)
		if v != "have" && v != "has" {
			return 0, "", ""
		}
		subj := c.w(i - 1)
		if !subjectPronouns[subj] && !singularKin[subj] {
			return 0, "", ""
		}
		if !c.isNum(i+1) && !numberWords[c.w(i+1)] || c.w(i+2) != "years" {
			return 0, "", ""
		}
		end, next := i+3, c.w(i+3)
		if next == "old" {
			end++
		} else if next != "" {
			return 0, "", ""
		}
		be := "are"
		switch {
		case subj == "i":
			be = "am"
		case v == "has":
			be = "is"
		}
		return end, c.fix(i, i+3, map[int]string{i: be}) + " old", "use be for age (I am 25 years old)."
	}},
	{id: "modal-to", kind: kindGrammar, match: func(c cursor, i int) (int, string, string) {
		m := c.w(i)
		if !modals[m] || strings.HasPrefix(m, "'") || c.w(i+1) != "to" || !baseVerbs[c.w(i+2)] {
			return 0, "", ""
		}
		if p := c.w(i - 1); p == "the" || p == "a" || p == "free" || p == "own" || p == "good" || possessive(p) {
			return 0, "", "" // "the will to live"
		}
		return i + 3, c.fix(i, i+3, map[int]string{i + 1: ""}), "after a modal verb (can, must, should...) use the base form without “to”."
	}},
	{id: "modal-form", kind: kindGrammar, match: func(c cursor, i int) (int, string, string) {
		m := c.w(i)
		if !(modals[m] && !strings.HasPrefix(m, "'") && m != "may") && !strings.HasSuffix(m, "'ll") {
			return 0, "", ""
		}
		j := i + 1
		if c.w(j) == "not" {
			j++
		}
		v := c.w(j)
		base, ok := verbBaseOfS(v)
		if !ok {
			if base, ok = verbBaseOfPast(v); !ok {
				return 0, "", ""
			}
		}
		return j + 1, c.fix(i, j+1, map[int]string{j: base}), "after a modal verb use the base form of the verb."
	}},
	{id: "be-base-verb", kind: kindGrammar, match: func(c cursor, i int) (int, string, string) {
		a := c.w(i)
		if !(a == "am" || a == "is" || a == "are" || a == "was" || a == "were" || strings.HasSuffix(a, "'m") || strings.HasSuffix(a, "'re")) {
			return 0, "", ""
		}
		v := c.w(i + 1)
		if !beBaseVerbs[v] || c.w(i-1) == "what" {
			return 0, "", ""
		}
		return i + 2, c.fix(i, i+2, map[int]string{i + 1: ingForm(v)}),
			fmt.Sprintf("after am/is/are use the -ing form (%s), or drop am/is/are for the present simple.", ingForm(v))
	}},
	{id: "there-is-plural", kind: kindGrammar, match: func(c cursor, i int) (int, string, string) {
		a := c.w(i)
		j, verb := 0, ""
		switch {
		case a == "there" && (c.w(i+1) == "is" || c.w(i+1) == "was"):
			j, verb = i+2, map[string]string{"is": "are", "was": "were"}[c.w(i+1)]
		case a == "there's":
			j, verb = i+1, "are"
		default:
			return 0, "", ""
		}
		q := c.w(j)
		plural := q == "many" || q == "several" || q == "two" || q == "three" || q == "four" || q == "five" ||
			(c.isNum(j) && q != "1" && q != "one")
		if !plural {
			return 0, "", ""
		}
		repl := map[int]string{i + 1: verb}
		if a == "there's" {
			repl = map[int]string{i: "there " + verb}
		}
		return j + 1, c.fix(i, j+1, repl), "use “there are/were” with plural nouns."
	}},
	{id: "much-plural", kind: kindGrammar, match: func(c cursor, i int) (int, string, string) {
		if c.w(i) != "much" || !countablePlurals[c.w(i+1)] {
			return 0, "", ""
		}
		return i + 2, c.fix(i, i+2, map[int]string{i: "many"}), "use “many” with plural countable nouns (much time, many people)."
	}},
	{id: "the-most-of", kind: kindGrammar, match: func(c cursor, i int) (int, string, string) {
		if c.w(i) != "the" || c.w(i+1) != "most" || c.w(i+2) != "of" {
			return 0, "", ""
		}
		if p := c.w(i - 1); strings.HasPrefix(p, "mak") || p == "made" {
			return 0, "", "" // "make the most of it"
		}
		return i + 3, c.fix(i, i+3, map[int]string{i: ""}), "say “most of” (most of my friends), without “the”."
	}},
	{id: "look-forward-to", kind: kindGrammar, match: func(c cursor, i int) (int, string, string) {
		if !strings.HasPrefix(c.w(i), "look") || c.w(i+1) != "forward" || c.w(i+2) != "to" {
			return 0, "", ""
		}
		v := c.w(i + 3)
		if !baseVerbs[v] || v == "work" || v == "practice" || v == "dance" || v == "plan" {
			return 0, "", ""
		}
		return i + 4, c.fix(i, i+4, map[int]string{i + 3: ingForm(v)}), "in “look forward to”, “to” is a preposition: use the -ing form."
	}},
	{id: "gerund-after-verb", kind: kindGrammar, match: func(c cursor, i int) (int, string, string) {
		v := c.w(i)
		if !gerundVerbs[v] || c.w(i+1) != "to" || !baseVerbs[c.w(i+2)] {
			return 0, "", ""
		}
		return i + 3, c.fix(i, i+3, map[int]string{i + 1: "", i + 2: ingForm(c.w(i + 2))}),
			fmt.Sprintf("%s is followed by the -ing form, not by “to”.", lemmaOfVerb(v))
	}},
	{id: "married-to", kind: kindGrammar, match: func(c cursor, i int) (int, string, string) {
		if !strings.HasPrefix(c.w(i), "marr") || c.w(i+1) != "with" || i+2 >= len(c.toks) {
			return 0, "", ""
		}
		n := c.w(i + 2)
		person := objPronouns[n] || n == "you" || (c.toks[i+2].kind == tWord && startsUpper(c.toks[i+2].text)) ||
			(possessive(n) && strings.Contains(" boyfriend girlfriend partner husband wife fiance fiancé cousin friend ", " "+c.w(i+3)+" "))
		if !person {
			return 0, "", "" // "married with two children" is right
		}
		return i + 2, c.fix(i, i+2, map[int]string{i + 1: "to"}), "you are married to someone."
	}},
	{id: "preposition-choice", kind: kindGrammar, match: func(c cursor, i int) (int, string, string) {
		a, b := c.w(i), c.w(i+1)
		switch {
		case strings.HasPrefix(a, "depend") && (b == "of" || b == "from"):
			return i + 2, c.fix(i, i+2, map[int]string{i + 1: "on"}), "depend takes “on” (it depends on the weather)."
		case a == "it's" && (c.w(i+1) == "depend" || c.w(i+1) == "depends"):
			return i + 2, c.fix(i, i+2, map[int]string{i: c.toks[i].text[:2], i + 1: "depends"}), "depend is a verb: it depends."
		case a == "interested" && (b == "for" || b == "on" || b == "about"):
			return i + 2, c.fix(i, i+2, map[int]string{i + 1: "in"}), "you are interested in something."
		case a == "afraid" && b == "from":
			return i + 2, c.fix(i, i+2, map[int]string{i + 1: "of"}), "you are afraid of something."
		case strings.HasPrefix(a, "arriv") && b == "to" && (c.w(i+2) == "the" || c.w(i+2) == "a" || possessive(c.w(i+2))):
			return i + 2, c.fix(i, i+2, map[int]string{i + 1: "at"}), "arrive at a place (or in a city or country), not “arrive to”."
		case strings.HasPrefix(a, "listen") && len(a) <= 9 && (b == "music" || b == "the" || b == "a" || b == "this" || b == "songs" || possessive(b)):
			return i + 2, c.fix(i, i+2, map[int]string{i: c.toks[i].text + " to"}), "listen takes “to” before what you hear (listen to music)."
		case strings.HasPrefix(a, "enter") && len(a) <= 8 && b == "in" && (c.w(i+2) == "the" || c.w(i+2) == "a" || possessive(c.w(i+2))):
			return i + 2, c.fix(i, i+2, map[int]string{i + 1: ""}), "enter takes a direct object (enter the room)."
		}
		return 0, "", ""
	}},
	{id: "collocation", kind: kindWordChoice, match: func(c cursor, i int) (int, string, string) {
		v := c.w(i)
		j := i + 1
		for k := 0; k < 3 && (collocationFillers[c.w(j)] || possessive(c.w(j))); k++ {
			j++
		}
		n := c.w(j)
		makeTo := map[string]map[string]string{
			"take": {"make": "take", "makes": "takes", "made": "took", "making": "taking"},
			"make": {"do": "make", "does": "makes", "did": "made", "doing": "making"},
			"do":   {"make": "do", "makes": "does", "made": "did", "making": "doing"},
		}
		switch {
		case (n == "photo" || n == "photos" || n == "picture" || n == "pictures") && makeTo["take"][v] != "":
			return j + 1, c.fix(i, j+1, map[int]string{i: makeTo["take"][v]}), "in English you take a photo."
		case (n == "mistake" || n == "mistakes") && makeTo["make"][v] != "":
			return j + 1, c.fix(i, j+1, map[int]string{i: makeTo["make"][v]}), "you make a mistake."
		case (n == "homework" || n == "sport" || n == "sports" || n == "exercise") && makeTo["do"][v] != "" && j <= i+2:
			return j + 1, c.fix(i, j+1, map[int]string{i: makeTo["do"][v]}), fmt.Sprintf("you do %s.", n)
		}
		return 0, "", ""
	}},
	{id: "go-home", kind: kindGrammar, match: func(c cursor, i int) (int, string, string) {
		v := c.w(i)
		if !motionVerbs[v] || c.w(i+1) != "to" || c.w(i+2) != "home" {
			return 0, "", ""
		}
		return i + 3, c.fix(i, i+3, map[int]string{i + 1: ""}), "home needs no “to” after verbs of movement (go home)."
	}},
	{id: "time-preposition", kind: kindGrammar, match: func(c cursor, i int) (int, string, string) {
		a, b := c.w(i), c.w(i+1)
		switch {
		case (a == "in" || a == "at") && dayNames[b]:
			return i + 2, c.fix(i, i+2, map[int]string{i: "on"}), "use “on” with days (on Monday)."
		case a == "in" && b == "the" && (c.w(i+2) == "weekend" || c.w(i+2) == "weekends"):
			return i + 3, c.fix(i, i+3, map[int]string{i: "at"}), "say “at the weekend” (British) or “on the weekend” (American)."
		case (a == "at" || a == "on") && c.isNum(i+1) && len(b) == 4 && (b[0] == '1' || b[0] == '2'):
			return i + 2, c.fix(i, i+2, map[int]string{i: "in"}), "use “in” with years (in 2019)."
		case a == "at" && b == "the" && (c.w(i+2) == "morning" || c.w(i+2) == "afternoon" || c.w(i+2) == "evening"):
			return i + 3, c.fix(i, i+3, map[int]string{i: "in"}), "say “in the morning/afternoon/evening” (but “at night”)."
		case a == "in" && b == "night":
			return i + 2, c.fix(i, i+2, map[int]string{i: "at"}), "say “at night”."
		}
		return 0, "", ""
	}},
	{id: "fixed-phrase", kind: kindWordChoice, match: func(c cursor, i int) (int, string, string) {
		for k, p := range fixedPhrases {
			ws := fixedPhraseWords[k]
			ok := true
			for k, w := range ws {
				if c.w(i+k) != w {
					ok = false
					break
				}
			}
			if ok {
				return i + len(ws), p[1], p[2]
			}
		}
		return 0, "", ""
	}},
	{id: "every-singular", kind: kindGrammar, match: func(c cursor, i int) (int, string, string) {
		a := c.w(i)
		s, ok := everySingular[c.w(i+1)]
		if (a != "every" && a != "each") || !ok {
			return 0, "", ""
		}
		return i + 2, c.fix(i, i+2, map[int]string{i + 1: s}), fmt.Sprintf("“%s” takes a singular noun.", a)
	}},
	{id: "people-plural-verb", kind: kindGrammar, match: func(c cursor, i int) (int, string, string) {
		if c.w(i) != "people" {
			return 0, "", ""
		}
		verb, ok := map[string]string{"is": "are", "was": "were", "has": "have"}[c.w(i+1)]
		if !ok {
			return 0, "", ""
		}
		for k := i - 1; k >= 0 && k >= i-3; k-- {
			if w := c.w(k); strings.HasSuffix(w, "ing") || w == "of" {
				return 0, "", "" // "helping people is ...", "the number of people is ..."
			}
		}
		return i + 2, c.fix(i, i+2, map[int]string{i + 1: verb}), "people is plural: people are, people were, people have."
	}},
	// Mechanics: conventions of writing that a transcript does not show.
	{id: "lowercase-i", kind: kindMechanics, writingOnly: true, match: func(c cursor, i int) (int, string, string) {
		t := c.toks[i]
		if t.kind != tWord || t.text[0] != 'i' || (t.low != "i" && stripClitic(t.low) != "i") {
			return 0, "", ""
		}
		return i + 1, "I" + t.text[1:], "the pronoun I is always a capital letter."
	}},
	{id: "proper-noun-capital", kind: kindMechanics, writingOnly: true, match: func(c cursor, i int) (int, string, string) {
		t := c.toks[i]
		if t.kind != tWord || !properLower[t.text] {
			return 0, "", ""
		}
		return i + 1, capitalise(t.text), "days, months, languages and nationalities start with a capital letter."
	}},
	{id: "repeated-word", kind: kindMechanics, writingOnly: true, match: func(c cursor, i int) (int, string, string) {
		a := c.w(i)
		if a == "" || c.w(i+1) != a || a == "that" || a == "had" || a == "very" || a == "so" || c.isNum(i) {
			return 0, "", ""
		}
		return i + 2, c.toks[i].text, "the word is repeated."
	}},
	{id: "punctuation-spacing", kind: kindMechanics, writingOnly: true, match: func(c cursor, i int) (int, string, string) {
		if i+1 >= len(c.toks) || c.toks[i].kind != tWord {
			return 0, "", ""
		}
		word, p := c.toks[i], c.toks[i+1]
		if p.kind != tPunct || !strings.ContainsAny(p.text, ",.;:!?") {
			return 0, "", ""
		}
		if p.spaceBefore && p.text != "..." {
			return i + 2, word.text + p.text, "no space before a punctuation mark."
		}
		if i+2 < len(c.toks) && c.toks[i+2].kind == tWord && !c.toks[i+2].spaceBefore && len(word.text) > 1 && len(c.toks[i+2].text) > 1 {
			return i + 3, word.text + p.text + " " + c.toks[i+2].text, "put a space after a punctuation mark."
		}
		return 0, "", ""
	}},
}

// fixedPhrases are wrong fixed expressions: phrase, correction, reason.
var fixedPhrases = [][3]string{
	{"the same like", "the same as", "say “the same as”."},
	{"according to me", "in my opinion", "“according to” introduces someone else's view; for your own, say “in my opinion”."},
	{"in the other hand", "on the other hand", "the phrase is “on the other hand”."},
	{"on my opinion", "in my opinion", "the phrase is “in my opinion”."},
	{"in my point of view", "from my point of view", "the phrase is “from my point of view”."},
	{"let's to", "let's", "after let's use the base form without “to”."},
	{"how it is called", "what it is called", "ask “what is it called?”, not “how”."},
	{"more or less than", "more than", "choose one: more than, or less than."},
}

var fixedPhraseWords = func() [][]string {
	out := make([][]string, len(fixedPhrases))
	for i, p := range fixedPhrases {
		out[i] = strings.Fields(p[0])
	}
	return out
}()

// possessive tells whether w is a possessive determiner.
func possessive(w string) bool {
	switch w {
	case "my", "your", "his", "her", "its", "our", "their":
		return true
	}
	return false
}

// subjunctive tells whether the subject at i follows "that" after a mandative word
// ("I suggest that he go"), where the bare verb is right.
func subjunctive(c cursor, i int) bool {
	if c.w(i-1) != "that" {
		return false
	}
	for k := 0; k < i-1; k++ {
		switch c.w(k) {
		case "suggest", "suggested", "recommend", "recommended", "insist", "insisted", "demand", "demanded",
			"require", "required", "essential", "important", "vital", "propose", "proposed":
			return true
		}
	}
	return false
}

// signOff tells whether a sentence ends with a short line of its own after a comma, as a
// letter's closing does ("Best wishes,\nMaria"), which takes no full stop.
func signOff(s sentence) bool {
	for i := len(s.toks) - 1; i > 0; i-- {
		if s.toks[i].newline {
			return len(s.toks)-i <= 3 && s.toks[i-1].text == ","
		}
	}
	return false
}

// lemmaOfVerb names the base of an inflected verb for messages ("enjoyed" -> "enjoy").
func lemmaOfVerb(v string) string {
	if b, ok := verbBaseOfS(v); ok {
		return b
	}
	if b, ok := verbBaseOfPast(v); ok {
		return b
	}
	if strings.HasSuffix(v, "ing") {
		for _, c := range []string{v[:len(v)-3], v[:len(v)-3] + "e"} {
			if baseVerbs[c] || gerundVerbs[c] {
				return c
			}
		}
	}
	return v
}

// findMistakes runs every rule over every sentence; writing also gets the mechanics rules
// that need the whole text (sentence capitals, final punctuation, run-on sentences).
func findMistakes(src string, sents []sentence, writing bool) []Mistake {
	var out []Mistake
	for si, s := range sents {
		c := cursor{toks: s.toks, src: src}
		for _, r := range rules {
			if r.writingOnly && !writing {
				continue
			}
			for i := 0; i < len(c.toks); {
				end, fix, why := r.match(c, i)
				if end <= i {
					i++
					continue
				}
				found := c.found(i, end)
				out = append(out, Mistake{Rule: r.id, Kind: r.kind, Found: found, Fix: fix, Message: mistakeMessage(found, fix, why)})
				i = end
			}
		}
		if !writing {
			continue
		}
		ws := s.words()
		if len(ws) > 0 && ws[0].kind == tWord && !startsUpper(ws[0].text) && ws[0] == s.toks[0] &&
			!(si > 0 && strings.HasSuffix(sents[si-1].toks[len(sents[si-1].toks)-1].text, "...")) {
			found := c.found(0, min(3, len(s.toks)))
			fix := capitalise(found)
			out = append(out, Mistake{Rule: "sentence-capital", Kind: kindMechanics, Found: found, Fix: fix,
				Message: mistakeMessage(found, fix, "start every sentence with a capital letter.")})
		}
		if !s.terminated && len(ws) >= 3 && (si == len(sents)-1 || sents[si+1].paragraph != s.paragraph) && !signOff(s) {
			n := len(s.toks)
			found := c.found(max(0, n-2), n)
			out = append(out, Mistake{Rule: "final-punctuation", Kind: kindMechanics, Found: found, Fix: found + ".",
				Message: mistakeMessage(found, found+".", "end every sentence with a full stop, question mark or exclamation mark.")})
		}
		commas := 0
		for _, t := range s.toks {
			if t.text == "," || t.text == ";" {
				commas++
			}
		}
		if len(ws) > 45 && commas < 2 {
			found := c.found(0, min(6, len(s.toks))) + " …"
			out = append(out, Mistake{Rule: "run-on-sentence", Kind: kindMechanics, Found: found, Fix: "two or three shorter sentences",
				Message: fmt.Sprintf("“%s” runs on for %d words without pause: split it into shorter sentences or add commas.", found, len(ws))})
		}
	}
	return out
}
