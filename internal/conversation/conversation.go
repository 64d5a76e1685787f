// Package conversation holds the tutor chat's rules that need no database: which earlier turns
// of a conversation fit the history budget sent with a message, the title a conversation takes
// from its first message, and how learning-session activity is credited. Pure functions; time is
// a parameter.
package conversation

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xentree/xentree-api/internal/ai"
)

// Budget bounds the earlier turns sent to a provider with a new message.
type Budget struct {
	// Turns is the most user and assistant turns kept.
	Turns int
	// Chars is the most characters (Unicode code points) those turns may hold together.
	Chars int
}

// Trim keeps the newest user and assistant turns of history that fit b, oldest first, and
// reports how many it left out. Turns are kept or dropped whole, newest first, stopping at the
// first that does not fit: the history sent is always an unbroken tail of the conversation.
// System turns (stateless callers may send them; providers fold them into the system prompt)
// are instructions, not history: they are always kept, in place, and not counted.
func Trim(history []ai.Message, b Budget) (kept []ai.Message, dropped int) {
	start, turns, chars := len(history), 0, 0
	for i := len(history) - 1; i >= 0; i-- {
		m := history[i]
		if m.Role == ai.RoleSystem {
			start = i
			continue
		}
		n := utf8.RuneCountInString(m.Content)
		if turns+1 > b.Turns || chars+n > b.Chars {
			break
		}
		turns, chars, start = turns+1, chars+n, i
	}
	kept = make([]ai.Message, 0, len(history)-start+countSystem(history[:start]))
	for i, m := range history {
		if i >= start || m.Role == ai.RoleSystem {
			kept = append(kept, m)
		} else {
			dropped++
		}
	}
	return kept, dropped
}

func countSystem(ms []ai.Message) int {
	n := 0
	for _, m := range ms {
		if m.Role == ai.RoleSystem {
			n++
		}
	}
	return n
}

// DefaultTitle names a conversation until its first message does.
const DefaultTitle = "New conversation"

// TitleLength is the most characters a title taken from a message has (ellipsis included).
const TitleLength = 60

// Title derives a conversation's title from its first message: the first non-blank line, white
// space collapsed, control and invisible formatting characters removed, cut at a word boundary
// to at most TitleLength characters with an ellipsis. DefaultTitle when nothing is left.
func Title(message string) string {
	var line string
	for l := range strings.Lines(message) {
		if line = clean(l); line != "" {
			break
		}
	}
	if line == "" {
		return DefaultTitle
	}
	if utf8.RuneCountInString(line) <= TitleLength {
		return line
	}
	r := []rune(line)[:TitleLength-1]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i >= TitleLength/2 {
		cut = cut[:i]
	}
	return strings.TrimRightFunc(cut, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) }) + "…"
}

// clean collapses white space and drops control and format characters (U+202E and friends,
// which could make a title display as something else).
func clean(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
		case unicode.In(r, unicode.Cc, unicode.Cf):
		default:
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// HiddenCharacters reports whether s has control or invisible formatting characters other than
// ordinary white space (titles with them are refused).
func HiddenCharacters(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool {
		return unicode.In(r, unicode.Cc, unicode.Cf) || r == '\u2028' || r == '\u2029'
	})
}

// Credit is what one activity call credits a learning session: whole seconds of the wall-clock
// time since creditedUntil (the instant up to which time was already considered), at most
// limit, and at most reported when the client reported its own count (nil: not reported).
// until is the new creditedUntil: moved by exactly the seconds credited when the elapsed time
// was the bound, so fractions of a second carry over to the next call; moved to now when a cap
// or the client's count was the bound, since the rest of the gap was idle.
func Credit(creditedUntil, now time.Time, limit time.Duration, reported *int) (seconds int64, until time.Time) {
	if !now.After(creditedUntil) {
		return 0, creditedUntil
	}
	elapsed := int64(now.Sub(creditedUntil) / time.Second)
	seconds = min(elapsed, int64(limit/time.Second))
	if reported != nil {
		seconds = min(seconds, int64(max(*reported, 0)))
	}
	if seconds == elapsed {
		return seconds, creditedUntil.Add(time.Duration(seconds) * time.Second)
	}
	return seconds, now
}

// Expired reports whether a session last active at lastActivity has passed the idle timeout
// at now (exactly at the timeout it is still alive).
func Expired(lastActivity, now time.Time, timeout time.Duration) bool {
	return now.Sub(lastActivity) > timeout
}

// CompletedSeconds is the active time a session needs to count as finished for the daily
// quests (one XP-earning minute), so that starting and ending empty sessions completes nothing.
const CompletedSeconds = 60
