package evaluate

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// maxCited bounds the learner errors quoted in one feedback text.
const maxCited = 4

// criterionFeedback says what the score of one criterion rests on and what to improve.
func (f *features) criterionFeedback(c string, sc map[string]float64) string {
	if f.original == 0 {
		if f.copied > 0 {
			return "The answer only repeats the prompt, so there is nothing of your own to assess. Answer it in your own words."
		}
		return "There is no text to assess. Write your answer in English."
	}
	var b []string
	add := func(format string, a ...any) { b = append(b, fmt.Sprintf(format, a...)) }
	short := f.original < 40
	switch c {
	case TaskAchievement:
		f.lengthFeedback(add)
		switch {
		case f.relevance < 0:
			add("No prompt was given, so relevance to a task was not judged.")
		case f.relevance < 0.35:
			add("The text does not answer the prompt: it says nothing about %s. Answer the question that was asked.", quoteList(firstN(f.missing, 4)))
		case f.relevance < 0.75 && len(f.missing) > 0:
			add("Partly on topic: say more about %s.", quoteList(firstN(f.missing, 3)))
		default:
			add("The answer stays on the prompt's topic.")
		}
		if f.copied > 0 {
			add("%s copied from the prompt are not counted: use your own words.", plural(f.copied, "word", "words"))
		}
		if f.reasons < 2 {
			add("Develop your ideas with reasons and examples (because…, for example…).")
		}
	case CoherenceCohesion:
		if len(f.links) == 0 {
			add("No linking words: join your ideas with %s.", quoteList(linkSuggestions[1]))
		} else {
			add("Linking words used: %s.", quoteList(firstN(sortedLinks(f.links), 6)))
			lv := int(math.Round(f.linkLevelMean))
			if lv < 1 {
				lv = 1
			}
			if lv <= 4 {
				if sug := unusedLinks(f.links, linkSuggestions[lv]); len(sug) > 0 {
					add("To link ideas at a higher level, try %s.", quoteList(sug))
				}
			}
		}
		if f.sentences >= 3 && f.openerShare > 0.5 {
			add("%d of %d sentences start with “%s”: vary how your sentences begin.", int(math.Round(f.openerShare*float64(f.sentences))), f.sentences, f.opener)
		}
		if !f.speaking && f.original >= 120 && f.paragraphs < 2 {
			add("Divide a text of this length into paragraphs, one main idea each.")
		}
		if f.repeatedTri > 0 {
			add("Some phrases are repeated word for word; say each point once.")
		}
	case VocabularyRange:
		add("%d%% of your content words go beyond the 1,000 most common English words; %d different content words.", int(math.Round(f.band2Share*100)), f.distinctContent)
		for _, w := range firstN(f.overused, 2) {
			add("You rely on “%s”: try %s.", w, overusedWords[w])
		}
		if f.content >= 10 && float64(f.topWordCount)/float64(f.content) > 0.12 && !contains(f.overused, f.topWord) {
			add("“%s” comes up %d times: use synonyms or pronouns.", f.topWord, f.topWordCount)
		}
		if f.band2Share < 0.15 {
			add("Use more precise, less common words for your topic instead of basic ones.")
		}
		if f.unknownShare > 0.3 {
			add("Many words were not recognised as English: check your spelling.")
		}
	case GrammaticalAccuracy:
		gm := f.mistakesOf(false)
		if len(gm) == 0 {
			add("No common learner errors found.")
		} else {
			add("%s: %s", plural(len(gm), "error", "errors"), strings.Join(citeMistakes(gm), " "))
		}
		if mm := f.mistakesOf(true); len(mm) > 0 {
			add("Capitalisation and punctuation (%d): %s", len(mm), strings.Join(citeMistakes(mm), " "))
		}
		if f.sentences > 0 && float64(f.subClauses)/float64(f.sentences) < 0.4 {
			add("Most sentences are simple: join ideas with clauses (because, when, which, although).")
		}
		if len(f.structures) > 0 {
			add("Structures used: %s.", strings.Join(firstN(f.structures, 6), ", "))
		}
		if miss := missingStructures(f.structures); len(miss) > 0 && sc[GrammaticalAccuracy] < 0.85 {
			add("Try %s.", strings.Join(miss, ", "))
		}
	case Fluency:
		all := f.spokenTokens()
		if f.fillers > 0 {
			add("%s (um, uh, like) in %d words: pause briefly instead of filling the silence.", plural(f.fillers, "filler", "fillers"), int(all))
		}
		if f.falseStarts+f.repeats > 0 {
			add("%s: plan the sentence before you start it.", plural(f.falseStarts+f.repeats, "false start or repetition", "false starts or repetitions"))
		}
		if f.incomplete > 0 {
			add("%s unfinished or without a verb.", plural(f.incomplete, "sentence is", "sentences are"))
		}
		if f.meanSentLen < 7 {
			add("Speak in longer, connected sentences.")
		}
		if f.fillers == 0 && f.falseStarts+f.repeats == 0 {
			add("The speech flows without fillers or false starts.")
		}
		add("Pronunciation is not scored: it cannot be judged from a transcript.")
	}
	if short {
		add("The answer is too short to show your full level.")
	}
	return strings.Join(b, " ")
}

func (f *features) lengthFeedback(add func(string, ...any)) {
	n := f.original
	switch {
	case f.minWords > 0 && n < f.minWords:
		add("%s; the target is %s: add about %d more.", plural(n, "word", "words"), rangeText(f.minWords, f.maxWords), f.minWords-n)
	case f.maxWords > 0 && n > f.maxWords:
		add("%s; the target is %s: keep to the limit.", plural(n, "word", "words"), rangeText(f.minWords, f.maxWords))
	default:
		add("%s, within the target of %s.", plural(n, "word", "words"), rangeText(f.minWords, f.maxWords))
	}
}

func rangeText(lo, hi int) string {
	switch {
	case hi == 0:
		return fmt.Sprintf("at least %d words", lo)
	case lo == 0:
		return fmt.Sprintf("at most %d words", hi)
	}
	return fmt.Sprintf("%d–%d words", lo, hi)
}

// summary is the overall feedback: the estimate, then the most useful improvements first.
func (f *features) summary(res Result, sc map[string]float64) string {
	if f.original == 0 {
		return "Nothing to evaluate: " + f.criterionFeedback(TaskAchievement, sc)
	}
	var b []string
	b = append(b, fmt.Sprintf("Estimated level %s (%g/100).", res.CEFREstimate, res.OverallScore))
	if t := levelIndex(f.targetLevel); t >= 0 {
		switch got := levelIndex(res.CEFREstimate); {
		case got > t:
			b = append(b, fmt.Sprintf("Above the %s target.", f.targetLevel))
		case got == t:
			b = append(b, fmt.Sprintf("At the %s target.", f.targetLevel))
		default:
			b = append(b, fmt.Sprintf("Below the %s target.", f.targetLevel))
		}
	}
	var todo []string
	if f.relevance >= 0 && f.relevance < 0.35 {
		todo = append(todo, fmt.Sprintf("answer the prompt (it asks about %s)", quoteList(firstN(f.promptTopics, 3))))
	}
	if f.minWords > 0 && f.original < f.minWords {
		todo = append(todo, fmt.Sprintf("write at least %d words", f.minWords))
	}
	if gm := f.mistakesOf(false); len(gm) > 0 {
		todo = append(todo, "correct "+strings.Join(citeShort(gm), ", "))
	}
	// The weakest criterion gets its own pointer.
	weakest, ws := "", 2.0
	for _, c := range res.Criteria {
		if s := sc[c.Criterion]; s < ws {
			weakest, ws = c.Criterion, s
		}
	}
	switch weakest {
	case CoherenceCohesion:
		lv := max(1, min(4, int(math.Round(f.linkLevelMean))))
		if sug := unusedLinks(f.links, linkSuggestions[lv]); len(sug) > 0 {
			todo = append(todo, "link your ideas with "+quoteList(sug))
		}
	case VocabularyRange:
		if len(f.overused) > 0 {
			todo = append(todo, fmt.Sprintf("replace “%s” with %s", f.overused[0], overusedWords[f.overused[0]]))
		} else {
			todo = append(todo, "use a wider range of precise words")
		}
	case GrammaticalAccuracy:
		todo = append(todo, "join ideas with clauses (because, when, which, although)")
	case Fluency:
		todo = append(todo, "speak with fewer fillers and restarts")
	case TaskAchievement:
		if f.reasons < 2 {
			todo = append(todo, "support your ideas with reasons and examples")
		}
	}
	if mm := f.mistakesOf(true); len(mm) > 0 {
		todo = append(todo, "check capitals and punctuation")
	}
	if len(todo) > 0 {
		b = append(b, "To improve: "+strings.Join(dedupe(firstN(todo, 4)), "; ")+".")
	}
	if f.speaking {
		b = append(b, "Pronunciation is not assessed from a transcript.")
	}
	return strings.Join(b, " ")
}

// mistakesOf returns the mechanics findings (true) or the others (false).
func (f *features) mistakesOf(mechanics bool) []Mistake {
	var out []Mistake
	for _, m := range f.mistakes {
		if (m.Kind == kindMechanics) == mechanics {
			out = append(out, m)
		}
	}
	return out
}

// citeMistakes quotes up to maxCited findings, one per rule first.
func citeMistakes(ms []Mistake) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range ms {
		if len(out) == maxCited {
			break
		}
		if !seen[m.Rule] {
			seen[m.Rule] = true
			out = append(out, m.Message)
		}
	}
	if more := len(ms) - len(out); more > 0 {
		out = append(out, fmt.Sprintf("(and %d more)", more))
	}
	return out
}

func citeShort(ms []Mistake) []string {
	var out []string
	for _, m := range ms {
		s := fmt.Sprintf("“%s” → “%s”", m.Found, m.Fix)
		if !contains(out, s) {
			out = append(out, s)
		}
		if len(out) == 3 {
			break
		}
	}
	return out
}

// structureTargets are structures worth suggesting, easiest first.
var structureTargets = []string{"infinitive", "comparison", "relative clause", "present/past perfect", "passive", "conditional", "modal perfect"}

func missingStructures(used []string) []string {
	var out []string
	for _, s := range structureTargets {
		if !contains(used, s) {
			out = append(out, s+"s")
		}
		if len(out) == 2 {
			break
		}
	}
	for i, s := range out {
		out[i] = strings.Replace(strings.Replace(s, "passives", "the passive", 1), "present/past perfects", "the present perfect", 1)
	}
	return out
}

func sortedLinks(m map[string]int) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool { return m[ks[i]] > m[ks[j]] || m[ks[i]] == m[ks[j]] && ks[i] < ks[j] })
	return ks
}

func unusedLinks(used map[string]int, sug []string) []string {
	var out []string
	for _, s := range sug {
		if _, ok := used[s]; !ok {
			out = append(out, s)
		}
	}
	return out
}

func firstN(s []string, n int) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func contains(s []string, x string) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}

func dedupe(s []string) []string {
	var out []string
	for _, x := range s {
		if !contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}
