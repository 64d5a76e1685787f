package tutor

import (
	"regexp"
	"slices"
	"strings"
)

// What the tutor quotes from a study note: its key sentences (those sharing most words with the
// question) and its examples (list items), from Markdown.

var (
	listMarker = regexp.MustCompile(`^\s*(?:[-*•+]|\d+[.)])\s+`)
	emphasis   = strings.NewReplacer("**", "", "__", "", "`", "")
	// A sentence ends at . ! or ? followed by a space and a capital or an opening quote.
	sentenceEnd = regexp.MustCompile(`([.!?])\s+(["“'(]?[A-Z])`)
	linkRe      = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
)

const (
	keySentences = 3
	keyExamples  = 4
	maxQuote     = 300
)

// excerpt is what a passage contributes to an answer.
type excerpt struct {
	sentences []string
	examples  []string
}

// extract picks a passage's key sentences and examples for the normalized query words.
func extract(text string, terms []string) excerpt {
	var prose []string
	var ex excerpt
	for line := range strings.Lines(text) {
		line = clean(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "|") || strings.HasPrefix(line, "```"):
		case listMarker.MatchString(line):
			if len(ex.examples) < keyExamples {
				ex.examples = append(ex.examples, clip(listMarker.ReplaceAllString(line, "")))
			}
		case strings.HasPrefix(line, ">"):
			prose = append(prose, strings.TrimSpace(strings.TrimLeft(line, "> ")))
		default:
			prose = append(prose, line)
		}
	}
	sentences := splitSentences(strings.Join(prose, " "))
	type scored struct{ at, score int }
	ranked := make([]scored, len(sentences))
	for i, s := range sentences {
		ranked[i] = scored{i, overlap(normalize(s), terms)}
	}
	slices.SortStableFunc(ranked, func(a, b scored) int { return b.score - a.score })
	ranked = ranked[:min(keySentences, len(ranked))]
	slices.SortFunc(ranked, func(a, b scored) int { return a.at - b.at })
	for _, r := range ranked {
		ex.sentences = append(ex.sentences, clip(sentences[r.at]))
	}
	return ex
}

func clean(line string) string {
	line = strings.TrimSpace(linkRe.ReplaceAllString(line, "$1"))
	return strings.TrimSpace(emphasis.Replace(line))
}

func splitSentences(s string) []string {
	s = sentenceEnd.ReplaceAllString(s, "$1\n$2")
	var out []string
	for part := range strings.SplitSeq(s, "\n") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// clip shortens s to maxQuote bytes at a word boundary.
func clip(s string) string {
	if len(s) <= maxQuote {
		return s
	}
	cut := strings.LastIndexByte(s[:maxQuote], ' ')
	if cut < maxQuote/2 {
		cut = maxQuote
		for cut > 0 && !isRuneStart(s[cut]) {
			cut--
		}
	}
	return strings.TrimRight(s[:cut], " ,;:") + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// overlap counts the distinct terms that occur in the normalized text as whole words.
func overlap(norm string, terms []string) int {
	n := 0
	for _, t := range terms {
		if has(norm, t) {
			n++
		}
	}
	return n
}

// sentenceWith returns the first sentence (or list item) of text that uses phrase.
func sentenceWith(text, phrase string) string {
	want := normalize(phrase)
	for line := range strings.Lines(text) {
		line = clean(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = listMarker.ReplaceAllString(line, "")
		for _, s := range splitSentences(line) {
			if has(normalize(s), want) {
				return clip(s)
			}
		}
	}
	return ""
}
