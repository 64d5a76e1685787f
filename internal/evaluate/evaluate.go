// Package evaluate scores a learner's English writing or spoken answer (from its transcript) for
// Xentree English: task achievement, coherence and cohesion, vocabulary range, grammatical
// accuracy and, for speaking, fluency, each 0-100, with an overall score, a CEFR estimate and
// concrete feedback.
//
// Offline is deterministic text analysis with no network: length against the task's target,
// topical overlap with the prompt, lexical diversity (MATTR, MTLD), word sophistication by the
// embedded frequency bands, sentence length and variety, linking words by level,
// subordination, repetition, capitalisation and punctuation, and learner-error patterns with
// corrections. Evaluate asks an AI provider for the same rubric as validated JSON and falls back
// to Offline on any failure. docs/evaluation.md documents the formulas and thresholds.
package evaluate

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// Kind is what is evaluated.
type Kind string

// The kinds of evaluated answer.
const (
	Writing  Kind = "writing"
	Speaking Kind = "speaking"
)

// Criterion ids, in the order results list them.
const (
	TaskAchievement     = "task_achievement"
	CoherenceCohesion   = "coherence_cohesion"
	VocabularyRange     = "vocabulary_range"
	GrammaticalAccuracy = "grammatical_accuracy"
	Fluency             = "fluency"
)

// The offline evaluator's name in results.
const (
	OfflineProvider = "offline"
	OfflineModel    = "xentree-offline-evaluator-1"
)

// levelThresholds are the lowest overall scores of A2, B1, B2, C1 and C2.
var levelThresholds = []float64{35, 50, 65, 78, 90}

// Levels are the CEFR levels, lowest first.
var Levels = []string{"A1", "A2", "B1", "B2", "C1", "C2"}

// maxChars bounds the analysed text and prompt in bytes (the API allows 20,000 characters of
// up to 4 bytes each).
const maxChars = 80000

// Input is one answer to evaluate.
type Input struct {
	Kind Kind
	// Text is the written text or the transcript of the spoken answer.
	Text string
	// Prompt is the task the learner answered ("" when there is none).
	Prompt string
	// TargetLevel is the CEFR level aimed at ("" for none); it sets the default word target.
	TargetLevel string
	// MinWords and MaxWords are the task's word target (0: derived from the level and kind).
	MinWords, MaxWords int
}

// CriterionScore is one criterion's score (0-100) and feedback.
type CriterionScore struct {
	Criterion string  `json:"criterion"`
	Score     float64 `json:"score"`
	Feedback  string  `json:"feedback"`
}

// Result is an evaluation, shaped like the API's XELEvaluationResponse.
type Result struct {
	OverallScore float64          `json:"overall_score"`
	CEFREstimate string           `json:"cefr_estimate"`
	Criteria     []CriterionScore `json:"criteria"`
	Feedback     string           `json:"feedback"`
	// Provider and Model name the evaluator that produced the result.
	Provider string `json:"provider"`
	Model    string `json:"model"`
	// Mistakes are the learner errors the offline analysis found (also cited in the feedback).
	Mistakes []Mistake `json:"-"`
	// FallbackReason says why a provider evaluation fell back to the offline one ("" if it did not).
	FallbackReason string `json:"-"`
}

// Criteria returns the criteria evaluated for a kind, in result order.
func Criteria(k Kind) []string {
	c := []string{TaskAchievement, CoherenceCohesion, VocabularyRange, GrammaticalAccuracy}
	if k == Speaking {
		c = append(c, Fluency)
	}
	return c
}

// LevelForScore maps an overall score to a CEFR level: A1 below 35, A2 below 50, B1 below 65,
// B2 below 78, C1 below 90, C2 from 90.
func LevelForScore(score float64) string {
	for i, lim := range levelThresholds {
		if score < lim {
			return Levels[i]
		}
	}
	return "C2"
}

func levelIndex(l string) int {
	for i, x := range Levels {
		if x == l {
			return i
		}
	}
	return -1
}

func normLevel(l string) string {
	l = strings.ToUpper(strings.TrimSpace(l))
	if levelIndex(l) >= 0 {
		return l
	}
	return ""
}

// wordTarget is the task's word range, else a default by target level and kind.
func wordTarget(in Input) (lo, hi int) {
	if in.MinWords > 0 || in.MaxWords > 0 {
		lo, hi = max(in.MinWords, 0), max(in.MaxWords, 0)
		if hi > 0 && hi < lo {
			lo, hi = hi, lo
		}
		return lo, hi
	}
	writing := map[string][2]int{"A1": {25, 60}, "A2": {40, 90}, "B1": {80, 150}, "B2": {120, 220}, "C1": {180, 300}, "C2": {220, 350}}
	speaking := map[string][2]int{"A1": {20, 60}, "A2": {30, 90}, "B1": {60, 150}, "B2": {90, 200}, "C1": {120, 250}, "C2": {150, 300}}
	table, def := writing, [2]int{50, 300}
	if in.Kind == Speaking {
		table, def = speaking, [2]int{40, 300}
	}
	if r, ok := table[normLevel(in.TargetLevel)]; ok {
		return r[0], r[1]
	}
	return def[0], def[1]
}

// Offline evaluates with the deterministic text analysis: the same input always gets the same
// result.
func Offline(in Input) Result {
	res, _ := offline(in)
	return res
}

func offline(in Input) (Result, *features) {
	if in.Kind != Speaking {
		in.Kind = Writing
	}
	f := analyse(in)
	sc := f.scores()
	res := Result{Provider: OfflineProvider, Model: OfflineModel, Mistakes: f.mistakes}
	for _, c := range Criteria(in.Kind) {
		res.Criteria = append(res.Criteria, CriterionScore{Criterion: c, Score: round(sc[c] * 100), Feedback: f.criterionFeedback(c, sc)})
	}
	res.OverallScore = round(f.overall(sc) * 100)
	res.CEFREstimate = f.level(res.OverallScore)
	res.Feedback = f.summary(res, sc)
	return res, f
}

func round(x float64) float64 { return math.Round(math.Max(0, math.Min(100, x))) }

// evidence shrinks every score of a text too short to show what the learner can do:
// (words/40)^0.75, capped at 1.
func (f *features) evidence() float64 { return math.Pow(math.Min(1, float64(f.original)/40), 0.75) }

// scores computes each criterion in [0, 1].
func (f *features) scores() map[string]float64 {
	sc := map[string]float64{}
	if f.original == 0 {
		for _, c := range []string{TaskAchievement, CoherenceCohesion, VocabularyRange, GrammaticalAccuracy, Fluency} {
			sc[c] = 0
		}
		return sc
	}
	e := f.evidence()
	sc[TaskAchievement] = f.taskScore() * e
	sc[CoherenceCohesion] = f.cohesionScore() * e
	sc[VocabularyRange] = f.vocabularyScore() * e
	sc[GrammaticalAccuracy] = f.grammarScore() * e
	if f.speaking {
		sc[Fluency] = f.fluencyScore() * e
	}
	return sc
}

// topLinkLevel is the mean level of the three highest-level markers used.
func (f *features) topLinkLevel() float64 {
	var lv []int
	for _, l := range f.links {
		lv = append(lv, l)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(lv)))
	lv = lv[:min(3, len(lv))]
	if len(lv) == 0 {
		return 0
	}
	sum := 0
	for _, l := range lv {
		sum += l
	}
	return float64(sum) / float64(len(lv))
}

// lengthScore compares the learner's own words with the target range.
func (f *features) lengthScore() float64 {
	n, lo, hi := float64(f.original), float64(f.minWords), float64(f.maxWords)
	switch {
	case lo > 0 && n < lo:
		return math.Pow(n/lo, 1.3)
	case hi > 0 && n > hi:
		return math.Max(0.6, 1-0.4*(n-hi)/hi)
	}
	return 1
}

// developmentScore rewards several sentences and clauses, ideas supported with reasons or
// examples (or explained after a colon), and a range of content.
func (f *features) developmentScore() float64 {
	return 0.3*math.Min(1, float64(f.sentences+f.subClauses)/6) + 0.35*math.Min(1, float64(f.reasons)/3) +
		0.35*math.Min(1, float64(f.distinctContent)/45)
}

func (f *features) taskScore() float64 {
	base := 0.45*f.lengthScore() + 0.55*f.developmentScore()
	if f.relevance >= 0 {
		base *= 0.15 + 0.85*f.relevance
	}
	return base
}

func (f *features) cohesionScore() float64 {
	variety := math.Min(1, float64(len(f.links))/12)
	level := ramp(f.topLinkLevel(), 0.5, 5)
	density := math.Min(1, float64(f.linkUses)/math.Max(1, float64(f.sentences-1))/0.8)
	s := 0.35*variety + 0.50*level + 0.15*density
	if f.sentences >= 3 {
		s *= 1 - math.Max(0, f.openerShare-0.4) // most sentences open the same way
	}
	if !f.speaking && f.original >= 120 && f.paragraphs < 2 {
		s *= 0.85 // a long text in one block
	}
	return s * (1 - math.Min(0.5, 0.1*float64(f.repeatedTri)))
}

func (f *features) vocabularyScore() float64 {
	soph := 0.5*ramp(f.band2Share, 0.05, 0.45) + 0.5*ramp(f.band3Share, 0, 0.2)
	div := ramp(f.mattr, 0.55, 0.85)
	if f.original >= 50 {
		div = (div + ramp(f.mtld, 30, 110)) / 2
	}
	rng := math.Min(1, float64(f.distinctContent)/70)
	s := 0.45*soph + 0.30*div + 0.25*rng
	s -= math.Min(0.1, 0.03*float64(len(f.overused)))
	if f.content >= 10 && float64(f.topWordCount)/float64(f.content) > 0.12 {
		s -= 0.05
	}
	if f.unknownShare > 0.3 {
		s *= 1 - 1.4*(f.unknownShare-0.3) // mostly unknown strings: not English, or garbled
	}
	return clamp01(s)
}

// errorRate is weighted errors per 100 words: grammar and word choice count 1, mechanics 0.5.
func (f *features) errorRate() float64 {
	return (f.grammarErr + 0.5*f.mechErr) / math.Max(1, float64(f.original)) * 100
}

func (f *features) grammarScore() float64 {
	acc := math.Max(0, 1-f.errorRate()/12)
	sub := 0.0
	if f.sentences > 0 {
		sub = math.Min(1, float64(f.subClauses)/float64(f.sentences)/1.3)
	}
	cx := 0.35*sub + 0.30*math.Min(1, float64(len(f.structures))/8) + 0.20*ramp(f.meanSentLen, 6, 20) + 0.15*math.Min(1, f.sentLenCV/0.45)
	return acc * (0.35 + 0.65*cx)
}

func (f *features) spokenTokens() float64 {
	return math.Max(1, float64(f.words+f.fillers+f.falseStarts+f.repeats))
}

func (f *features) fluencyScore() float64 {
	all := f.spokenTokens()
	fill := math.Max(0, 1-float64(f.fillers)/all*100/8)
	dis := math.Max(0, 1-float64(f.falseStarts+f.repeats)/all*100/6)
	complete := 1.0
	if f.sentences > 0 {
		complete = 1 - float64(f.incomplete)/float64(f.sentences)
	}
	return 0.35*fill + 0.25*dis + 0.20*complete + 0.20*ramp(f.meanSentLen, 4, 14)
}

// overall is the mean of the criteria, lowered when the text misses the prompt:
// × (0.4 + 0.6 × min(1, relevance / 0.5)).
func (f *features) overall(sc map[string]float64) float64 {
	cs := Criteria(Writing)
	if f.speaking {
		cs = Criteria(Speaking)
	}
	sum := 0.0
	for _, c := range cs {
		sum += sc[c]
	}
	o := sum / float64(len(cs))
	if f.relevance >= 0 {
		o *= 0.4 + 0.6*math.Min(1, f.relevance/0.5)
	}
	return o
}

// level maps the overall score to CEFR, capped by the evidence: under 15 words at most A1,
// under 35 at most A2, under 80 at most B2.
func (f *features) level(overall float64) string {
	l := levelIndex(LevelForScore(overall))
	for _, c := range []struct{ words, cap int }{{15, 0}, {35, 1}, {80, 3}} {
		if f.original < c.words && l > c.cap {
			l = c.cap
		}
	}
	return Levels[l]
}

// quoteList renders words as “a”, “b” and “c”.
func quoteList(ws []string) string {
	q := make([]string, len(ws))
	for i, w := range ws {
		q[i] = "“" + w + "”"
	}
	switch len(q) {
	case 0:
		return ""
	case 1:
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
