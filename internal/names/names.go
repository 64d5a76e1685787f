// Package names holds the one rule for text people show as a name: nicknames, full names and
// the names of organizations, teams, API keys and documents.
package names

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// MaxMarks bounds the combining marks in a row (on one character): enough for the diacritics
// of any script (Thai, Hebrew points, Tibetan stacks), too few to pile a tower of marks over
// the text around the name.
const MaxMarks = 4

// ErrHidden: a name that is blank or holds characters that hide or disguise text.
var ErrHidden = errors.New("name is blank or holds control, invisible or unassigned characters")

// Clean normalizes a name (NFC, surrounding spaces trimmed) and checks it: at least one
// character, all of them letters, marks, numbers, punctuation, symbols or spaces; none
// invisible (format characters such as zero-width and bidi controls, fillers such as U+3164,
// the blank braille pattern), private-use or unassigned; no combining mark first (it would join
// the text before the name) nor more than MaxMarks in a row. Length limits are the caller's.
func Clean(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", ErrHidden
	}
	s = strings.TrimSpace(norm.NFC.String(s))
	if s == "" {
		return "", ErrHidden
	}
	marks := 0
	for i, r := range s {
		if !Shown(r) {
			return "", ErrHidden
		}
		if !unicode.Is(unicode.M, r) {
			marks = 0
			continue
		}
		if marks++; i == 0 || marks > MaxMarks {
			return "", ErrHidden
		}
	}
	return s, nil
}

// Shown reports characters a name may hold: assigned letters, marks, numbers, punctuation,
// symbols and spaces that are not default-ignorable (rendered as nothing) or blank (U+2800).
// Control, format, separator, private-use, surrogate and unassigned code points are in none
// of these categories.
func Shown(r rune) bool {
	return unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Zs) &&
		!unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r) && r != '\u2800'
}
