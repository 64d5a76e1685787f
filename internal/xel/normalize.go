package xel

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize returns the canonical form in which answers are compared: Unicode compatibility
// forms folded (NFKC), diacritics removed, curly quotes and apostrophes made straight, lower
// case, contractions expanded ("don't" → "do not", "won't" → "will not", "can't" and "cannot"
// → "can not", "I'm" → "i am"), punctuation dropped (hyphens split words; apostrophes inside
// words, "o'clock", "Anna's", stay; ".", "," and ":" between digits stay, "3:30"), and words
// separated by single spaces. Where a contraction has two readings ("she's" = she is / she
// has, "I'd" = I would / I had) Normalize picks the first; Variants lists them all.
func Normalize(s string) string { return Variants(s)[0] }

// Variants returns every canonical reading of s, Normalize's first. A learner's answer matches
// an accepted answer when one of its variants equals the accepted answer's canonical form
// (accepted answers are validated to have exactly one).
func Variants(s string) []string {
	out := []string{""}
	for _, tok := range tokens(fold(s)) {
		exp := expand(tok)
		if len(out)*len(exp) > maxVariants {
			exp = exp[:1]
		}
		next := make([]string, 0, len(out)*len(exp))
		for _, prefix := range out {
			for _, e := range exp {
				if prefix == "" {
					next = append(next, e)
				} else {
					next = append(next, prefix+" "+e)
				}
			}
		}
		out = next
	}
	return out
}

// Equivalent reports whether two texts share a canonical reading.
func Equivalent(a, b string) bool {
	va := Variants(a)
	for _, x := range Variants(b) {
		for _, y := range va {
			if x == y {
				return true
			}
		}
	}
	return false
}

const maxVariants = 64

var quoteFolder = strings.NewReplacer(
	"\u2018", "'", "\u2019", "'", "\u201A", "'", "\u201B", "'", "\u2032", "'", "\u02BC", "'",
	"`", "'", "\u00B4", "'",
	"\u201C", `"`, "\u201D", `"`, "\u201E", `"`, "\u201F", `"`, "\u2033", `"`, "\u00AB", `"`, "\u00BB", `"`,
	"\u2010", "-", "\u2011", "-", "\u2012", "-", "\u2013", "-", "\u2014", "-", "\u2212", "-",
)

// fold applies the character-level rules: NFKC, straight quotes, no diacritics, lower case.
func fold(s string) string {
	if isASCII(s) { // the common case, and nothing but case and backticks to fold
		return strings.ToLower(strings.ReplaceAll(s, "`", "'"))
	}
	s = norm.NFD.String(quoteFolder.Replace(norm.NFKC.String(s)))
	s = strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		return r
	}, s)
	return strings.ToLower(norm.NFC.String(s))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// tokens splits folded text into words, keeping apostrophes inside words (and the plural
// possessive "students'") and digit punctuation ("3:30", "2.5", "10,000").
func tokens(s string) []string {
	rs := []rune(s)
	var out []string
	var cur []rune
	quoted := false // the current word opened with a quote mark: a trailing one closes it
	flush := func() {
		if len(cur) > 0 {
			out = append(out, string(cur))
		}
		cur, quoted = cur[:0:0], false
	}
	isWord := func(i int) bool { return i >= 0 && i < len(rs) && (unicode.IsLetter(rs[i]) || unicode.IsDigit(rs[i])) }
	for i, r := range rs {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			cur = append(cur, r)
		case r == '\'' && len(cur) > 0 && isWord(i+1):
			cur = append(cur, r)
		case r == '\'' && len(cur) > 0 && !quoted && cur[len(cur)-1] == 's':
			cur = append(cur, r)
		case r == '\'' && len(cur) == 0:
			quoted = true
		case (r == '.' || r == ',' || r == ':') && len(cur) > 0 && unicode.IsDigit(cur[len(cur)-1]) &&
			i+1 < len(rs) && unicode.IsDigit(rs[i+1]):
			cur = append(cur, r)
		default:
			flush()
		}
	}
	flush()
	return out
}

// sIsPronouns are the words after which "'s" is "is" or "has" rather than a possessive.
var sIsPronouns = map[string]bool{
	"he": true, "she": true, "it": true, "that": true, "this": true, "there": true, "here": true,
	"what": true, "who": true, "where": true, "when": true, "why": true, "how": true,
	"everything": true, "everyone": true, "everybody": true, "someone": true, "somebody": true,
	"something": true, "nobody": true, "nothing": true,
}

// expand returns the readings of one word: itself, or the expansions of a contraction.
func expand(tok string) []string {
	switch tok {
	case "won't":
		return []string{"will not"}
	case "can't", "cannot":
		return []string{"can not"}
	case "shan't":
		return []string{"shall not"}
	case "let's":
		return []string{"let us"}
	case "ain't":
		return []string{tok}
	}
	suffixes := []struct {
		suffix string
		words  []string
	}{
		{"n't", []string{"not"}},
		{"'m", []string{"am"}},
		{"'re", []string{"are"}},
		{"'ve", []string{"have"}},
		{"'ll", []string{"will"}},
		{"'d", []string{"would", "had"}},
	}
	for _, sf := range suffixes {
		if stem, ok := strings.CutSuffix(tok, sf.suffix); ok && stem != "" {
			var out []string
			for _, s := range expand(stem) {
				for _, w := range sf.words {
					out = append(out, s+" "+w)
				}
			}
			return out
		}
	}
	if stem, ok := strings.CutSuffix(tok, "'s"); ok && sIsPronouns[stem] {
		return []string{stem + " is", stem + " has"}
	}
	return []string{tok}
}

// ambiguous returns the first word of s that has more than one reading ("she's", "I'd"), or "".
func ambiguous(s string) string {
	for _, tok := range tokens(fold(s)) {
		if len(expand(tok)) > 1 {
			return tok
		}
	}
	return ""
}

// editDistance is the optimal-string-alignment distance between two strings, in runes:
// insertions, deletions, substitutions and swaps of neighbours ("recieve") count one each.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// nearMiss reports whether got is a likely misspelling of want (both canonical): one edit for
// words up to 8 letters, two for longer ones, none for words of 3 letters or fewer, where one
// letter makes another word ("a"/"an", "is"/"it").
func nearMiss(got, want string) bool {
	n := len([]rune(want))
	if got == want || got == "" || n <= 3 {
		return false
	}
	limit := 1
	if n > 8 {
		limit = 2
	}
	if d := len([]rune(got)) - n; d > limit || -d > limit { // also spares long texts the O(n·m) table
		return false
	}
	return editDistance(got, want) <= limit
}
