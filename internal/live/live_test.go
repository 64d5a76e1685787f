package live

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestPeriod(t *testing.T) {
	for _, tc := range []struct{ at, start, end string }{
		{"2026-11-15T12:00:00Z", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"},
		{"2026-12-31T23:59:59.999999Z", "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z"},
		{"2027-01-01T00:00:00Z", "2027-01-01T00:00:00Z", "2027-02-01T00:00:00Z"},
		// The period is UTC whatever zone the time is expressed in.
		{"2026-12-01T00:30:00+01:00", "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"},
		{"2028-02-29T10:00:00Z", "2028-02-01T00:00:00Z", "2028-03-01T00:00:00Z"},
	} {
		at := ts(tc.at)
		if got := PeriodStart(at); !got.Equal(ts(tc.start)) || got.Location() != time.UTC {
			t.Errorf("PeriodStart(%s) = %s", tc.at, got)
		}
		if got := PeriodEnd(at); !got.Equal(ts(tc.end)) {
			t.Errorf("PeriodEnd(%s) = %s", tc.at, got)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		now  string
		want int
	}{
		{"2026-11-30T23:59:00Z", 60},
		{"2026-11-30T23:59:59.5Z", 1},      // rounds up
		{"2026-11-30T23:59:59.999999Z", 1}, // never 0
		{"2026-11-30T00:00:00Z", 86400},
	} {
		if got := RetryAfter(ts(tc.now)); got != tc.want {
			t.Errorf("RetryAfter(%s) = %d, want %d", tc.now, got, tc.want)
		}
	}
}

func TestSecondsAndExpired(t *testing.T) {
	a := ts("2026-11-10T10:00:00.7Z")
	if Seconds(a, a.Add(2999*time.Millisecond)) != 2 || Seconds(a, a) != 0 || Seconds(a, a.Add(-time.Hour)) != 0 {
		t.Fatal("Seconds")
	}
	if Expired(a, a.Add(90*time.Second), 90*time.Second) || !Expired(a, a.Add(90*time.Second+time.Microsecond), 90*time.Second) {
		t.Fatal("Expired is strictly past the timeout")
	}
}

func TestPeriods(t *testing.T) {
	got := Periods(ts("2026-11-30T23:59:00Z"), ts("2027-01-01T00:00:00Z"))
	want := []time.Time{ts("2026-11-01T00:00:00Z"), ts("2026-12-01T00:00:00Z"), ts("2027-01-01T00:00:00Z")}
	if len(got) != len(want) {
		t.Fatalf("%v", got)
	}
	for i := range want {
		if !got[i].Equal(want[i]) {
			t.Fatalf("%v", got)
		}
	}
	if n := len(Periods(ts("2026-11-03T00:00:00Z"), ts("2026-11-03T00:10:00Z"))); n != 1 {
		t.Fatalf("%d periods within one month", n)
	}
}

func TestCompute(t *testing.T) {
	nov, dec := ts("2026-11-01T00:00:00Z"), ts("2026-12-01T00:00:00Z")
	type want struct {
		pieces    []Piece
		until     string
		exhausted bool
	}
	for _, tc := range []struct {
		name     string
		from, to string
		quota    int64
		used     map[time.Time]int64
		want     want
	}{
		{"plain", "2026-11-10T10:00:00Z", "2026-11-10T10:00:30Z", 100, nil,
			want{[]Piece{{nov, 30}}, "2026-11-10T10:00:30Z", false}},
		{"fraction stays for next time", "2026-11-10T10:00:00.25Z", "2026-11-10T10:00:30.2Z", 100, nil,
			want{[]Piece{{nov, 29}}, "2026-11-10T10:00:29.25Z", false}},
		{"nothing elapsed", "2026-11-10T10:00:00Z", "2026-11-10T10:00:00.9Z", 100, map[time.Time]int64{nov: 10},
			want{nil, "2026-11-10T10:00:00Z", false}},
		{"capped by quota", "2026-11-10T10:00:00Z", "2026-11-10T10:01:00Z", 100, map[time.Time]int64{nov: 80},
			want{[]Piece{{nov, 20}}, "2026-11-10T10:00:20Z", true}},
		{"exactly used up", "2026-11-10T10:00:00Z", "2026-11-10T10:00:20Z", 100, map[time.Time]int64{nov: 80},
			want{[]Piece{{nov, 20}}, "2026-11-10T10:00:20Z", true}},
		{"already over (quota lowered)", "2026-11-10T10:00:00Z", "2026-11-10T10:00:20Z", 100, map[time.Time]int64{nov: 150},
			want{nil, "2026-11-10T10:00:00Z", true}},
		{"spans the month boundary", "2026-11-30T23:59:40Z", "2026-12-01T00:00:25Z", 100, map[time.Time]int64{nov: 50},
			want{[]Piece{{nov, 20}, {dec, 25}}, "2026-12-01T00:00:25Z", false}},
		{"second starting before midnight counts in November", "2026-11-30T23:59:59.5Z", "2026-12-01T00:00:01.6Z", 100, nil,
			want{[]Piece{{nov, 1}, {dec, 1}}, "2026-12-01T00:00:01.5Z", false}},
		{"November runs out before the boundary", "2026-11-30T23:59:40Z", "2026-12-01T00:00:25Z", 100, map[time.Time]int64{nov: 90},
			want{[]Piece{{nov, 10}}, "2026-11-30T23:59:50Z", true}},
		{"November already spent", "2026-11-30T23:59:40Z", "2026-12-01T00:00:25Z", 100, map[time.Time]int64{nov: 100},
			want{nil, "2026-11-30T23:59:40Z", true}},
		{"December runs out", "2026-11-30T23:59:40Z", "2026-12-01T00:00:25Z", 100, map[time.Time]int64{dec: 90},
			want{[]Piece{{nov, 20}, {dec, 10}}, "2026-12-01T00:00:10Z", true}},
		{"zero quota", "2026-11-10T10:00:00Z", "2026-11-10T10:00:05Z", 0, nil,
			want{nil, "2026-11-10T10:00:00Z", true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Compute(ts(tc.from), ts(tc.to), tc.quota, tc.used)
			var sum int64
			for _, p := range c.Pieces {
				sum += p.Seconds
			}
			if !reflect.DeepEqual(c.Pieces, tc.want.pieces) || !c.Until.Equal(ts(tc.want.until)) ||
				c.Exhausted != tc.want.exhausted || c.Seconds != sum {
				t.Fatalf("got %+v\nwant %+v", c, tc.want)
			}
			// Whatever happens, no period goes over its quota (unless it already was).
			for _, p := range c.Pieces {
				if tc.used[p.Period]+p.Seconds > tc.quota {
					t.Fatalf("period %s over quota", p.Period)
				}
			}
		})
	}
}

func TestNickname(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"Ada", "Ada", true},
		{"  Ada Lovelace \t", "Ada Lovelace", true},
		{"Zoë", "Zoë", true},
		{"Zoe\u0308", "Zoë", true}, // NFC
		{"李小龍", "李小龍", true},
		{strings.Repeat("a", 40), strings.Repeat("a", 40), true},
		{strings.Repeat("é", 40), strings.Repeat("é", 40), true}, // characters, not bytes
		{strings.Repeat("a", 41), "", false},
		{"", "", false},
		{"   ", "", false},
		{"Ada\nB", "", false},
		{"Ada\u200bB", "", false}, // zero-width space
		{"Ada\u202eB", "", false}, // right-to-left override
		{"Ada\u2028B", "", false}, // line separator
		{"Ada\x7f", "", false},
		{"\xff", "", false},
		// Invisible, blank or unassigned characters, and mark towers.
		{"\u3164", "", false},                          // Hangul filler (a letter that renders as nothing)
		{"Ada\uffa0", "", false},                       // halfwidth Hangul filler
		{"\u115f\u1160", "", false},                    // Hangul choseong and jungseong fillers
		{"\u2800", "", false},                          // braille blank
		{"Ada\u034fB", "", false},                      // combining grapheme joiner
		{"Ada\u17b5", "", false},                       // Khmer inherent vowel (invisible)
		{"\ue000Ada", "", false},                       // private use
		{"Ada\u0378", "", false},                       // unassigned
		{"Ada\uffff", "", false},                       // noncharacter
		{"\u0301Ada", "", false},                       // a mark with nothing to sit on
		{"\ufe0f", "", false},                          // a lone variation selector
		{"x" + strings.Repeat("\u0334", 5), "", false}, // a tower of overlays
		{"x" + strings.Repeat("\u0334", 4), "x" + strings.Repeat("\u0334", 4), true},
		{"a" + strings.Repeat("\u0301", 5), "á" + strings.Repeat("\u0301", 4), true}, // NFC takes one
		{"\u2764\ufe0f Ada", "\u2764\ufe0f Ada", true},                               // emoji presentation selector
		{"བསྒྲུབས", "བསྒྲུབས", true},                                                 // Tibetan stack: three marks in a row
		{"Nguyễn Thị", "Nguyễn Thị", true},
		{"Ada\u3000Lovelace", "Ada\u3000Lovelace", true}, // ideographic space inside
	} {
		got, err := Nickname(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("Nickname(%q) = %q, %v", tc.in, got, err)
		}
	}
}

func TestCheckTranscript(t *testing.T) {
	now := ts("2026-11-27T12:00:00Z")
	start, end := ts("2026-11-27T10:00:00Z"), ts("2026-11-27T10:05:00Z")
	turn := func(role, at string) Turn { return Turn{Role: role, Text: "hello", At: ts(at)} }
	good := []Turn{turn("ai", "2026-11-27T10:00:00Z"), turn("user", "2026-11-27T10:00:05Z"), turn("user", "2026-11-27T10:00:05Z"), turn("ai", "2026-11-27T10:05:00Z")}
	for _, tc := range []struct {
		name       string
		start, end time.Time
		turns      []Turn
		fields     []string
	}{
		{"valid (edges inclusive, equal times in order)", start, end, good, nil},
		{"end before start", end, start, good[:1], []string{"session_ended_at", "transcripts.0.timestamp"}},
		{"end equals start", start, start, []Turn{turn("ai", "2026-11-27T10:00:00Z")}, []string{"session_ended_at"}},
		{"too long", start, start.Add(25 * time.Hour), good, []string{"session_ended_at", "session_ended_at"}},
		{"in the future", now, now.Add(10 * time.Minute), []Turn{{Role: "ai", Text: "x", At: now}}, []string{"session_ended_at"}},
		{"within skew", now, now.Add(4 * time.Minute), []Turn{{Role: "ai", Text: "x", At: now}}, nil},
		{"no turns", start, end, nil, []string{"transcripts"}},
		{"before the window", start, end, []Turn{turn("ai", "2026-11-27T09:59:59Z")}, []string{"transcripts.0.timestamp"}},
		{"after the window", start, end, []Turn{turn("ai", "2026-11-27T10:05:01Z")}, []string{"transcripts.0.timestamp"}},
		{"out of order", start, end, []Turn{turn("ai", "2026-11-27T10:01:00Z"), turn("user", "2026-11-27T10:00:30Z")}, []string{"transcripts.1.timestamp"}},
		{"unknown role", start, end, []Turn{turn("system", "2026-11-27T10:01:00Z")}, []string{"transcripts.0.role"}},
		{"too much text", start, end, []Turn{{Role: "ai", Text: strings.Repeat("x", MaxTranscriptText+1), At: start}}, []string{"transcripts"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var fields []string
			for _, p := range Check(Transcript{Start: tc.start, End: tc.end, Turns: tc.turns}, now) {
				if p.Message == "" {
					t.Fatal("problem without a message")
				}
				fields = append(fields, p.Field)
			}
			if !reflect.DeepEqual(fields, tc.fields) {
				t.Fatalf("fields %v, want %v", fields, tc.fields)
			}
		})
	}
	// Problems are bounded however many turns are wrong.
	many := make([]Turn, 1000)
	for i := range many {
		many[i] = turn("ai", "2026-11-27T11:00:00Z")
	}
	if n := len(Check(Transcript{Start: start, End: end, Turns: many}, now)); n > maxProblems {
		t.Fatalf("%d problems reported", n)
	}
}

func TestCheckSession(t *testing.T) {
	started, ended := ts("2026-11-27T10:00:00Z"), ts("2026-11-27T10:30:00Z")
	for _, tc := range []struct {
		name       string
		start, end string
		fields     []string
	}{
		{"inside", "2026-11-27T10:00:00Z", "2026-11-27T10:30:00Z", nil},
		{"within clock skew", "2026-11-27T09:55:00Z", "2026-11-27T10:35:00Z", nil},
		{"starts before the session", "2026-11-27T09:54:59Z", "2026-11-27T10:10:00Z", []string{"session_started_at"}},
		{"ends after the session", "2026-11-27T10:10:00Z", "2026-11-27T10:35:01Z", []string{"session_ended_at"}},
		{"another day", "2026-11-20T10:00:00Z", "2026-11-20T10:30:00Z", []string{"session_started_at"}},
		{"around it", "2026-11-27T08:00:00Z", "2026-11-27T12:00:00Z", []string{"session_started_at", "session_ended_at"}},
	} {
		var fields []string
		for _, p := range CheckSession(Transcript{Start: ts(tc.start), End: ts(tc.end)}, started, ended) {
			fields = append(fields, p.Field)
		}
		if !reflect.DeepEqual(fields, tc.fields) {
			t.Errorf("%s: fields %v, want %v", tc.name, fields, tc.fields)
		}
	}
}
