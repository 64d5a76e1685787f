// Package live holds the rules of Xentree Live that need no database: the monthly quota period,
// how elapsed time is charged against a quota (whole seconds, each to the month it fell in),
// idle expiry, nicknames and transcript checks. Every function takes the time it needs as a
// parameter; nothing here reads a clock.
package live

import (
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/xentree/xentree-api/internal/names"
)

// PeriodStart is the first instant of t's calendar month in UTC: the quota period t falls in.
func PeriodStart(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// PeriodEnd is the end (exclusive) of t's period: the first instant of the next month.
func PeriodEnd(t time.Time) time.Time { return PeriodStart(t).AddDate(0, 1, 0) }

// RetryAfter is the whole seconds from now to the next period, at least 1 (a Retry-After value).
func RetryAfter(now time.Time) int {
	d := PeriodEnd(now).Sub(now)
	return max(int((d+time.Second-1)/time.Second), 1)
}

// Seconds is the whole seconds from a to b (0 when b is not after a).
func Seconds(a, b time.Time) int64 {
	if !b.After(a) {
		return 0
	}
	return int64(b.Sub(a) / time.Second)
}

// Expired reports whether a session whose last heartbeat was at last is past its idle timeout at now.
func Expired(last, now time.Time, idle time.Duration) bool { return now.Sub(last) > idle }

// Piece is the part of a charge that falls in one period.
type Piece struct {
	Period  time.Time // PeriodStart of the period
	Seconds int64
}

// Periods lists the periods from from's through to's, oldest first: the keys Compute reads
// from its used map.
func Periods(from, to time.Time) []time.Time {
	var out []time.Time
	for p := PeriodStart(from); !p.After(to); p = p.AddDate(0, 1, 0) {
		out = append(out, p)
	}
	return out
}

// Charge is the outcome of charging a span of time against a quota.
type Charge struct {
	// Pieces are the seconds to add to each period's usage, oldest first, none empty.
	Pieces []Piece
	// Seconds is their sum.
	Seconds int64
	// Until is how far the session is charged now: from + Seconds.
	Until time.Time
	// Exhausted: the quota ran out (a period's quota is used up, or the current one has nothing
	// left), so the session ends at Until.
	Exhausted bool
}

// Compute charges the whole seconds of [from, to) against quota: second i (starting at
// from + i s) counts in the period it starts in, and a period takes at most quota minus what
// used (keyed by PeriodStart) says it has used. Charging stops where a period's quota runs out,
// since the session cannot run past that moment.
func Compute(from, to time.Time, quota int64, used map[time.Time]int64) Charge {
	c := Charge{Until: from}
	n := Seconds(from, to)
	for n > 0 {
		period := PeriodStart(c.Until)
		// Seconds starting in this period: ceil((end - at) / 1s), at most n.
		k := min(int64((PeriodEnd(c.Until).Sub(c.Until)+time.Second-1)/time.Second), n)
		left := max(quota-used[period], 0)
		take := min(k, left)
		if take > 0 {
			c.Pieces = append(c.Pieces, Piece{Period: period, Seconds: take})
			c.Seconds += take
			c.Until = c.Until.Add(time.Duration(take) * time.Second)
		}
		if take < k {
			c.Exhausted = true
			return c
		}
		n -= k
	}
	// Nothing left in the period of `to` (after this charge): the session cannot go on.
	current := PeriodStart(to)
	spent := used[current]
	for _, p := range c.Pieces {
		if p.Period.Equal(current) {
			spent += p.Seconds
		}
	}
	c.Exhausted = quota-spent <= 0
	return c
}

// MaxNickname is the longest nickname, in characters.
const MaxNickname = 40

// MaxNicknameMarks bounds the combining marks in a row (on one character).
const MaxNicknameMarks = names.MaxMarks

// ErrNickname: a nickname that is blank, too long, or holds characters that hide or disguise text.
var ErrNickname = errors.New("nickname must have 1 to 40 characters, without control, invisible or unassigned characters")

// Nickname normalizes a Live nickname and checks it: a name by names.Clean (NFC, trimmed, no
// invisible, unassigned or private-use characters, sane combining marks) of 1 to MaxNickname
// characters.
func Nickname(s string) (string, error) {
	s, err := names.Clean(s)
	if err != nil || utf8.RuneCountInString(s) > MaxNickname {
		return "", ErrNickname
	}
	return s, nil
}

// Transcript limits.
const (
	// MaxTranscriptText bounds the text of all turns together, in bytes.
	MaxTranscriptText = 512 << 10
	// MaxTranscriptWindow bounds how long a transcribed session may last.
	MaxTranscriptWindow = 24 * time.Hour
	// ClockSkew is how far in the future a client's end time may lie.
	ClockSkew = 5 * time.Minute
	// maxProblems bounds the problems Check reports.
	maxProblems = 20
)

// Turn is one transcribed utterance.
type Turn struct {
	Role string // "user" or "ai"
	Text string
	At   time.Time
}

// Transcript is a session's transcript as a client sends it.
type Transcript struct {
	Start, End time.Time
	Turns      []Turn
}

// Problem is one reason a transcript is refused, naming the field as a dotted path.
type Problem struct {
	Field   string
	Message string
}

// Check lists what is wrong with t at now (nil when nothing is): the window ends after it
// starts, not in the future (beyond ClockSkew) and within MaxTranscriptWindow; turns have a
// known role, lie inside the window, in order; their text stays within MaxTranscriptText.
func Check(t Transcript, now time.Time) []Problem {
	var out []Problem
	add := func(field, msg string) { out = append(out, Problem{field, msg}) }
	switch {
	case !t.End.After(t.Start):
		add("session_ended_at", "must be after session_started_at")
	case t.End.Sub(t.Start) > MaxTranscriptWindow:
		add("session_ended_at", fmt.Sprintf("a session lasts at most %s", MaxTranscriptWindow))
	}
	if t.End.After(now.Add(ClockSkew)) {
		add("session_ended_at", "must not be in the future")
	}
	if len(t.Turns) == 0 {
		add("transcripts", "must hold at least one turn")
	}
	size := 0
	for i, turn := range t.Turns {
		if len(out) >= maxProblems {
			break
		}
		field := fmt.Sprintf("transcripts.%d", i)
		size += len(turn.Text)
		if turn.Role != "user" && turn.Role != "ai" {
			add(field+".role", "must be user or ai")
		}
		if turn.At.Before(t.Start) || turn.At.After(t.End) {
			add(field+".timestamp", "must lie between session_started_at and session_ended_at")
		} else if i > 0 && turn.At.Before(t.Turns[i-1].At) {
			add(field+".timestamp", "must not be earlier than the turn before it")
		}
	}
	if size > MaxTranscriptText {
		add("transcripts", fmt.Sprintf("the turns hold more than %d KiB of text", MaxTranscriptText>>10))
	}
	return out
}

// CheckSession lists what is wrong with t as the transcript of a Live session that started at
// started and ended at ended (now, while it is active): its window must lie within the
// session's, give or take ClockSkew for the client's clock.
func CheckSession(t Transcript, started, ended time.Time) []Problem {
	var out []Problem
	if t.Start.Before(started.Add(-ClockSkew)) {
		out = append(out, Problem{"session_started_at", "must not be before the live session started (" + started.UTC().Format(time.RFC3339) + ")"})
	}
	if t.End.After(ended.Add(ClockSkew)) {
		out = append(out, Problem{"session_ended_at", "must not be after the live session ended (" + ended.UTC().Format(time.RFC3339) + ")"})
	}
	return out
}
