package evaluate

import (
	"math"
	"sort"
	"strings"
)

// features are the measurements the offline scores are computed from.
type features struct {
	speaking bool
	// words counts words and numbers (not fillers, fragments or repeats); copied counts those
	// taken over from the prompt in runs of four or more; original = words - copied.
	words, copied, original int
	sentences, paragraphs   int
	meanSentLen, sentLenCV  float64
	// Content words: valid-looking words that are not function words.
	content, distinctContent int
	band2Share, band3Share   float64
	mattr, mtld              float64
	// links maps each distinct linking word or marker found to its level; linkUses counts uses.
	links         map[string]int
	linkUses      int
	linkLevelMean float64
	reasons       int
	subClauses    int
	structures    []string
	opener        string
	openerShare   float64
	topWord       string
	topWordCount  int
	overused      []string
	repeatedTri   int
	// Task: relevance in [0,1]; -1 when there is no prompt to judge against.
	relevance             float64
	coverage, density     float64
	promptTopics, missing []string
	fillers, falseStarts  int
	repeats, incomplete   int
	mistakes              []Mistake
	grammarErr, mechErr   float64
	minWords, maxWords    int
	targetLevel           string
	unknownShare          float64
}

// analyse measures a text. The input is trusted to be bounded by the caller (see maxChars).
func analyse(in Input) *features {
	f := &features{speaking: in.Kind == Speaking, relevance: -1, targetLevel: normLevel(in.TargetLevel)}
	f.minWords, f.maxWords = wordTarget(in)
	src := normalise(truncate(in.Text, maxChars))
	toks := tokenize(src)
	if f.speaking {
		toks = f.cleanSpeech(toks)
	}
	sents := splitSentences(toks)
	var words []token
	for _, t := range toks {
		if t.kind == tWord || t.kind == tNumber {
			words = append(words, t)
		}
	}
	f.words = len(words)
	promptWords := wordList(tokenize(normalise(truncate(in.Prompt, maxChars))))
	copied := copiedFromPrompt(words, promptWords)
	for _, c := range copied {
		if c {
			f.copied++
		}
	}
	f.original = f.words - f.copied
	if f.words == 0 {
		return f
	}
	f.sentences = len(sents)
	f.paragraphs = 1
	for _, t := range toks {
		if t.kind == tBreak {
			f.paragraphs++
		}
	}
	f.sentenceShape(sents)
	f.vocabulary(words, copied)
	f.cohesion(sents)
	f.complexity(sents)
	f.mistakes = findMistakes(src, sents, !f.speaking)
	for _, m := range f.mistakes {
		if m.Kind == kindMechanics {
			f.mechErr++
		} else {
			f.grammarErr++
		}
	}
	if len(promptWords) > 0 {
		f.topic(words, copied, promptWords)
	}
	return f
}

// truncate bounds the text to n bytes at a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

func wordList(toks []token) []string {
	var out []string
	for _, t := range toks {
		if t.kind == tWord || t.kind == tNumber {
			out = append(out, t.low)
		}
	}
	return out
}

// cleanSpeech drops fillers, cut-off words ("wen- went") and immediate repetitions from a
// transcript, counting them for fluency; what remains is analysed like writing.
func (f *features) cleanSpeech(toks []token) []token {
	var out []token
	droppedFiller := false
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		next := func(k int) token {
			if i+k < len(toks) {
				return toks[i+k]
			}
			return token{kind: tBreak}
		}
		prevText := ""
		if len(out) > 0 {
			prevText = out[len(out)-1].low
		}
		switch {
		case t.kind == tWord && fillers[t.low]:
			f.fillers++
			droppedFiller = true
			continue
		case t.kind == tWord && t.low == "like" && next(1).text == "," && (prevText == "," || prevText == "" || len(out) > 0 && out[len(out)-1].kind == tPunct):
			f.fillers++
			droppedFiller = true
			continue
		case t.kind == tWord && ((t.low == "you" && next(1).low == "know") || (t.low == "i" && next(1).low == "mean")) &&
			(next(2).text == "," || prevText == ","):
			f.fillers++
			droppedFiller = true
			i++
			continue
		case t.kind == tWord && next(1).text == "-" && !next(1).spaceBefore && next(2).kind == tWord:
			f.falseStarts++ // "wen- went"
			i++
			continue
		case t.kind == tPunct && (t.text == "," || t.text == "...") && droppedFiller:
			droppedFiller = false
			continue // the comma that fenced a filler
		case t.kind == tPunct && t.text == "...":
			f.falseStarts++ // a trailing-off pause
		}
		droppedFiller = false
		if t.kind == tWord && len(out) > 0 && out[len(out)-1].low == t.low && t.low != "that" && t.low != "had" {
			f.repeats++ // "I I went"
			continue
		}
		if t.kind == tWord && len(out) >= 2 && out[len(out)-1].text == "," && out[len(out)-2].low == t.low && !f.listComma(out) {
			f.repeats++ // "how, how companies"
			out = out[:len(out)-1]
			continue
		}
		if t.kind == tWord && len(out) >= 2 && i+1 < len(toks) && out[len(out)-2].low == t.low &&
			out[len(out)-1].low == toks[i+1].low && out[len(out)-1].kind == tWord {
			f.repeats++ // "I went I went"
			i++
			continue
		}
		if t.kind == tPunct && t.text == "," && len(out) > 0 && out[len(out)-1].text == "," {
			continue
		}
		out = append(out, t)
	}
	return out
}

// listComma tells whether a word repeated after a comma is emphasis ("very, very"), not a restart.
func (f *features) listComma(out []token) bool {
	w := out[len(out)-2].low
	return w == "very" || w == "really" || w == "no" || w == "yes"
}

// copiedFromPrompt marks text words that belong to a run of four or more words found in the
// same order in the prompt, or the whole text when it all appears in the prompt.
func copiedFromPrompt(words []token, prompt []string) []bool {
	copied := make([]bool, len(words))
	if len(prompt) == 0 || len(words) == 0 {
		return copied
	}
	pj := strings.Join(prompt, " ")
	lows := make([]string, len(words))
	for i, w := range words {
		lows[i] = w.low
	}
	if strings.Contains(" "+pj+" ", " "+strings.Join(lows, " ")+" ") {
		for i := range copied {
			copied[i] = true
		}
		return copied
	}
	const n = 4
	grams := map[string]bool{}
	for i := 0; i+n <= len(prompt); i++ {
		grams[strings.Join(prompt[i:i+n], " ")] = true
	}
	for i := 0; i+n <= len(lows); i++ {
		if grams[strings.Join(lows[i:i+n], " ")] {
			for k := i; k < i+n; k++ {
				copied[k] = true
			}
		}
	}
	return copied
}

// sentenceShape measures sentence length and its variety.
func (f *features) sentenceShape(sents []sentence) {
	var lens []float64
	for _, s := range sents {
		n := len(s.words())
		if n == 0 {
			continue
		}
		lens = append(lens, float64(n))
		if n < 3 || !hasVerb(s) {
			f.incomplete++
		}
	}
	if len(lens) == 0 {
		return
	}
	mean := 0.0
	for _, l := range lens {
		mean += l
	}
	mean /= float64(len(lens))
	sd := 0.0
	for _, l := range lens {
		sd += (l - mean) * (l - mean)
	}
	f.meanSentLen = mean
	if len(lens) > 1 {
		f.sentLenCV = math.Sqrt(sd/float64(len(lens)-1)) / mean
	}
}

// hasVerb tells whether a sentence has something that can be a finite verb.
func hasVerb(s sentence) bool {
	for _, t := range s.words() {
		w := stripClitic(t.low)
		if t.low != w && (t.low != w+"'s" || functionWords[w]) {
			return true // a contracted auxiliary: I'm, don't, we've, it's
		}
		if beForms[w] || haveAux[w] || modals[w] || w == "do" || w == "does" || w == "did" || baseVerbs[w] {
			return true
		}
		if _, ok := verbBaseOfS(w); ok {
			return true
		}
		if _, ok := verbBaseOfPast(w); ok {
			return true
		}
	}
	return false
}

// vocabulary measures sophistication (frequency bands), diversity (MATTR, MTLD), range and
// repetition over the words the learner wrote (not the copied ones).
func (f *features) vocabulary(words []token, copied []bool) {
	var forms []string
	counts := map[string]int{}
	var b2, b3, unknown int
	for i, t := range words {
		if copied[i] || t.kind != tWord {
			continue
		}
		forms = append(forms, t.low)
		if functionWords[t.low] || !looksEnglish(t.low) {
			if !looksEnglish(t.low) {
				unknown++
			}
			continue
		}
		l, b := lemma(t.low)
		f.content++
		counts[l]++
		switch {
		case b >= 3:
			b3++
			b2++
		case b == 2:
			b2++
		case b == offList:
			// Unknown but English-looking: a rarer word or a misspelling; half credit.
			b2++
			unknown++
		}
	}
	f.distinctContent = len(counts)
	if f.content > 0 {
		f.band2Share = float64(b2) / float64(f.content)
		f.band3Share = float64(b3) / float64(f.content)
		f.unknownShare = float64(unknown) / float64(f.content+unknown)
	}
	f.mattr = mattr(forms, 50)
	f.mtld = mtld(forms)
	type kv struct {
		w string
		n int
	}
	var top []kv
	for w, n := range counts {
		top = append(top, kv{w, n})
	}
	sort.Slice(top, func(i, j int) bool { return top[i].n > top[j].n || top[i].n == top[j].n && top[i].w < top[j].w })
	if len(top) > 0 {
		f.topWord, f.topWordCount = top[0].w, top[0].n
	}
	for _, e := range top {
		if _, ok := overusedWords[e.w]; ok && e.n >= 3 {
			f.overused = append(f.overused, e.w)
		}
	}
	tri := map[string]int{}
	for i := 0; i+3 <= len(forms); i++ {
		g := strings.Join(forms[i:i+3], " ")
		if tri[g]++; tri[g] == 2 && !allFunction(forms[i:i+3]) {
			f.repeatedTri++
		}
	}
}

func allFunction(ws []string) bool {
	for _, w := range ws {
		if !functionWords[w] {
			return false
		}
	}
	return true
}

// mattr is the moving-average type-token ratio over windows of size w (the whole text when
// shorter): stable across text lengths, unlike the plain ratio.
func mattr(forms []string, w int) float64 {
	n := len(forms)
	if n == 0 {
		return 0
	}
	if n <= w {
		seen := map[string]bool{}
		for _, x := range forms {
			seen[x] = true
		}
		return float64(len(seen)) / float64(n)
	}
	counts := map[string]int{}
	for _, x := range forms[:w] {
		counts[x]++
	}
	sum := float64(len(counts)) / float64(w)
	for i := w; i < n; i++ {
		counts[forms[i]]++
		old := forms[i-w]
		if counts[old]--; counts[old] == 0 {
			delete(counts, old)
		}
		sum += float64(len(counts)) / float64(w)
	}
	return sum / float64(n-w+1)
}

// mtld is the measure of textual lexical diversity (McCarthy and Jarvis 2010): the mean length
// of runs keeping the type-token ratio above 0.72, forwards and backwards.
func mtld(forms []string) float64 {
	pass := func(xs []string) float64 {
		const th = 0.72
		factors, count := 0.0, 0
		types := map[string]bool{}
		for _, x := range xs {
			count++
			types[x] = true
			if float64(len(types))/float64(count) <= th {
				factors++
				count = 0
				types = map[string]bool{}
			}
		}
		if count > 0 {
			ttr := float64(len(types)) / float64(count)
			factors += (1 - ttr) / (1 - th)
		}
		if factors == 0 {
			return float64(len(xs))
		}
		return float64(len(xs)) / factors
	}
	if len(forms) == 0 {
		return 0
	}
	rev := make([]string, len(forms))
	for i, x := range forms {
		rev[len(forms)-1-i] = x
	}
	return (pass(forms) + pass(rev)) / 2
}

// maxMarkerWords is the length of the longest linking phrase.
const maxMarkerWords = 6

// cohesion finds linking words and discourse markers (longest match first), causal and
// example markers, and the commonest sentence opener.
func (f *features) cohesion(sents []sentence) {
	f.links = map[string]int{}
	openers := map[string]int{}
	colons := 0
	defer func() { f.reasons += min(colons, 2) }()
	for _, s := range sents {
		for _, t := range s.toks {
			if t.text == ":" {
				colons++
			}
		}
		ws := s.words()
		if len(ws) > 0 {
			openers[ws[0].low]++
		}
		for i := 0; i < len(s.toks); {
			matched := 0
			if s.toks[i].kind == tWord && markerStarts[s.toks[i].low] {
				// The longest marker starting here wins ("on the other hand" over "on").
				p := ""
				for n := 1; n <= maxMarkerWords && i+n <= len(s.toks) && s.toks[i+n-1].kind == tWord; n++ {
					if n == 1 {
						p = s.toks[i].low
					} else {
						p += " " + s.toks[i+n-1].low
					}
					if _, found := linkLevels[p]; found && markerInContext(p, s.toks, i, n) {
						matched = n
					}
				}
			}
			if matched > 0 {
				p := wordsJoined(s.toks[i : i+matched])
				f.links[p] = linkLevels[p]
				f.linkUses++
				switch p {
				case "because", "because of", "so", "for example", "for instance", "such as", "as a result",
					"that's why", "therefore", "consequently", "the reason is", "due to", "for this reason", "so that", "thus", "hence":
					f.reasons++
				}
			} else {
				matched = 1
			}
			i += matched
		}
	}
	if len(f.links) > 0 {
		sum := 0
		for _, lv := range f.links {
			sum += lv
		}
		f.linkLevelMean = float64(sum) / float64(len(f.links))
	}
	best, n := "", 0
	for w, c := range openers {
		if c > n || c == n && w < best {
			best, n = w, c
		}
	}
	if best == "i" {
		best = "I"
	}
	if len(sents) > 0 {
		f.opener, f.openerShare = best, float64(n)/float64(len(sents))
	}
}

// markerStarts are the first words of the linking words and markers.
var markerStarts = func() map[string]bool {
	m := map[string]bool{}
	for p := range linkLevels {
		m[strings.Fields(p)[0]] = true
	}
	return m
}()

func wordsJoined(toks []token) string {
	parts := make([]string, len(toks))
	for i, t := range toks {
		parts[i] = t.low
	}
	return strings.Join(parts, " ")
}

// markerInContext filters uses that are not discourse markers: "so" as an intensifier
// ("so happy"), "too" at the start, "since" and "after" as prepositions are fine as markers
// only when they link clauses.
func markerInContext(p string, toks []token, i, n int) bool {
	next := ""
	if i+n < len(toks) && toks[i+n].kind == tWord {
		next = toks[i+n].low
	}
	switch p {
	case "so":
		return !(next == "much" || next == "many" || strings.HasSuffix(next, "ful") || isAdjectiveLike(next))
	case "since", "after":
		return subjectPronouns[next] || next == "the" || next == "that"
	case "first", "next":
		return i == 0 || toks[i-1].kind == tPunct
	case "overall", "instead", "finally", "later":
		return i == 0 || toks[i-1].kind == tPunct || i+n < len(toks) && toks[i+n].kind == tPunct
	}
	return true
}

// isAdjectiveLike is a cheap guess for "so + adjective" (an intensifier, not a linker).
func isAdjectiveLike(w string) bool {
	switch w {
	case "good", "bad", "happy", "sad", "nice", "big", "small", "beautiful", "tired", "hot", "cold", "busy",
		"expensive", "cheap", "easy", "difficult", "hard", "interesting", "boring", "important", "excited",
		"fun", "great", "far", "long", "delicious", "friendly", "quiet", "noisy", "crowded", "popular", "well", "lucky", "kind":
		return true
	}
	return comparatives[w] || strings.HasSuffix(w, "ous") || strings.HasSuffix(w, "ive") || strings.HasSuffix(w, "ing") && !baseVerbs[w]
}

// complexity counts subordinate clauses and the grammatical structures used.
func (f *features) complexity(sents []sentence) {
	used := map[string]bool{}
	for _, s := range sents {
		ws := s.words()
		hasIf, hasWould := false, false
		for i, t := range ws {
			w := t.low
			next := ""
			if i+1 < len(ws) {
				next = ws[i+1].low
			}
			prev := ""
			if i > 0 {
				prev = ws[i-1].low
			}
			switch {
			case subordinators[w]:
				f.subClauses++
			case relativePronouns[w] && i > 0 && prev != "of" && prev != "to":
				f.subClauses++
				used["relative clause"] = true
			case (w == "when" || w == "how" || w == "what" || w == "why") && i > 0:
				f.subClauses++
			case w == "that" && i > 0 && (reportingVerbs[prev] || prev == "so" || nounLike(prev) && (subjectPronouns[next] || next == "the")):
				f.subClauses++
				if reportingVerbs[prev] {
					used["that clause"] = true
				}
			case (w == "since" || w == "before" || w == "after" || w == "as" || w == "once") && subjectPronouns[next]:
				f.subClauses++
			}
			if w == "if" || w == "unless" {
				hasIf = true
			}
			if w == "would" || w == "could" || w == "might" || strings.HasSuffix(w, "'d") || w == "will" || strings.HasSuffix(w, "'ll") {
				hasWould = true
			}
			aux := stripClitic(w)
			if haveAux[w] || strings.HasSuffix(w, "'ve") || (strings.HasSuffix(w, "'s") && isParticiple(next)) || aux == "have" && w != "have" {
				if isParticiple(next) || midAdverbs[next] && i+2 < len(ws) && isParticiple(ws[i+2].low) {
					used["present/past perfect"] = true
					if modals[prev] || strings.HasSuffix(prev, "'d") {
						used["modal perfect"] = true
					}
				}
			}
			if beForms[w] || strings.HasSuffix(w, "'m") || strings.HasSuffix(w, "'re") {
				switch {
				case isParticiple(next) && next != "born":
					used["passive"] = true
				case strings.HasSuffix(next, "ing") && len(next) > 5 && verbOfIng(next) != "":
					used["continuous"] = true
				}
			}
			if (modals[w] && !strings.HasPrefix(w, "'")) && baseVerbs[next] {
				used["modal verb"] = true
			}
			if w == "going" && next == "to" {
				used["going to"] = true
			}
			if w == "than" {
				used["comparison"] = true
			}
			if w == "to" && baseVerbs[next] && prev != "going" {
				used["infinitive"] = true
			}
			if strings.HasSuffix(w, "ing") && i == 0 && verbOfIng(w) != "" {
				used["-ing clause"] = true
			}
		}
		if hasIf && hasWould {
			used["conditional"] = true
		}
	}
	for k := range used {
		f.structures = append(f.structures, k)
	}
	sort.Strings(f.structures)
}

// nounLike guesses that a word is a noun that can take a "that" relative clause.
func nounLike(w string) bool {
	_, b := lemma(w)
	return b > 0 && !functionWords[w] && !baseVerbs[w] && !isAdjectiveLike(w)
}

// isParticiple tells whether w is a past participle of a known verb.
func isParticiple(w string) bool {
	if _, ok := participleToBase[w]; ok {
		return participleToBase[w] != w || w == "come" || w == "become" || w == "run"
	}
	_, ok := verbBaseOfPast(w)
	return ok && strings.HasSuffix(w, "ed")
}

// verbOfIng returns the base of an -ing form of a known verb ("swimming" -> "swim").
func verbOfIng(w string) string {
	if !strings.HasSuffix(w, "ing") {
		return ""
	}
	s := w[:len(w)-3]
	cands := []string{s, s + "e"}
	if n := len(s); n >= 3 && s[n-1] == s[n-2] {
		cands = append(cands, s[:n-1])
	}
	if strings.HasSuffix(s, "y") {
		cands = append(cands, s[:len(s)-1]+"ie")
	}
	for _, c := range cands {
		if baseVerbs[c] {
			return c
		}
	}
	return ""
}

// topic compares the text with the prompt: coverage is the weighted share of the prompt's
// topics the text mentions, density the share of the text's content words on those topics.
func (f *features) topic(words []token, copied []bool, prompt []string) {
	weights := map[string]float64{}
	var order []string
	for _, w := range prompt {
		if functionWords[w] || instructionWords[w] || genericWords[w] || !looksEnglish(w) {
			continue
		}
		k := topicKey(w)
		if instructionWords[k] || genericWords[k] {
			continue
		}
		wt := 1.0
		if _, grouped := topicOf[k]; !grouped {
			if _, b := lemma(w); b == 1 {
				wt = 0.6 // common words say less about the topic
			}
		}
		if _, ok := weights[k]; !ok {
			order = append(order, w)
		}
		weights[k] = math.Max(weights[k], wt)
	}
	if len(weights) == 0 {
		return
	}
	f.promptTopics = order
	seen := map[string]bool{}
	on, content := 0, 0
	for i, t := range words {
		if copied[i] || t.kind != tWord || functionWords[t.low] {
			continue
		}
		content++
		k := topicKey(t.low)
		if _, ok := weights[k]; ok {
			on++
			seen[k] = true
		}
	}
	total, got := 0.0, 0.0
	for k, wt := range weights {
		total += wt
		if seen[k] {
			got += wt
		}
	}
	for _, w := range order {
		if !seen[topicKey(w)] {
			f.missing = append(f.missing, w)
		}
	}
	f.coverage = got / total
	if content > 0 {
		f.density = float64(on) / float64(content)
	}
	f.relevance = clamp01(0.75*math.Min(1, f.coverage/0.5) + 0.25*math.Min(1, f.density/0.06))
	if on < 2 {
		f.relevance /= 2 // a single passing mention is not an answer
	}
}

func clamp01(x float64) float64 {
	switch {
	case math.IsNaN(x) || x < 0:
		return 0
	case x > 1:
		return 1
	}
	return x
}

// ramp maps x linearly from [lo, hi] onto [0, 1], clamped.
func ramp(x, lo, hi float64) float64 { return clamp01((x - lo) / (hi - lo)) }
