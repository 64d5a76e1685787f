package progress

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/xentree/xentree-api/internal/civil"
)

func TestLevelCurve(t *testing.T) {
	for _, tc := range []struct {
		total      int64
		level      int
		into, span int64
		percent    float64
	}{
		{-5, 1, 0, 100, 0},
		{0, 1, 0, 100, 0},
		{99, 2 - 1, 99, 100, 99},
		{100, 2, 0, 200, 0},
		{299, 2, 199, 200, 99.5},
		{300, 3, 0, 300, 0},
		{301, 3, 1, 300, 0.3},
		{599, 3, 299, 300, 99.6},
		{600, 4, 0, 400, 0},
		{4950, 10, 450, 1000, 45}, // level 10 starts at 4500
		{4499, 9, 899, 900, 99.8},
		{4500, 10, 0, 1000, 0},
		{LevelThreshold(1000) - 1, 999, 99899, 99900, 99.9},
		{LevelThreshold(1000), 1000, 0, 100000, 0},
	} {
		l := LevelOf(tc.total)
		if l.Level != tc.level || l.IntoLevel != tc.into || l.ForNext != tc.span || l.Percent != tc.percent {
			t.Errorf("LevelOf(%d) = %+v, want level %d, %d/%d, %.1f%%", tc.total, l, tc.level, tc.into, tc.span, tc.percent)
		}
	}
	// Every threshold is exact: one XP short is the level below.
	for l := 2; l < 500; l++ {
		if LevelOf(LevelThreshold(l)).Level != l || LevelOf(LevelThreshold(l)-1).Level != l-1 {
			t.Fatalf("boundary of level %d", l)
		}
	}
}

// TestLevelCurveTop: totals up to MaxInt64 land on the curve (LevelThreshold overflowed from
// 4.6e18 and LevelOf never returned).
func TestLevelCurveTop(t *testing.T) {
	top := LevelThreshold(MaxLevel) // 9,223,372,032,559,808,500: the last threshold an int64 holds
	for _, tc := range []struct {
		total int64
		level int
		into  int64
	}{
		{4_600_000_000_000_000_000, 303315018, 7948734700},
		{top - 1, MaxLevel - 1, top - 1 - LevelThreshold(MaxLevel-1)},
		{top, MaxLevel, 0},
		{math.MaxInt64, MaxLevel, math.MaxInt64 - top},
	} {
		done := make(chan Level, 1)
		go func() { done <- LevelOf(tc.total) }()
		select {
		case l := <-done:
			if l.Level != tc.level || l.IntoLevel != tc.into || l.ForNext != LevelStep*int64(tc.level) || l.Percent < 0 || l.Percent >= 100 {
				t.Errorf("LevelOf(%d) = %+v, want level %d, %d in", tc.total, l, tc.level, tc.into)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("LevelOf(%d) does not return", tc.total)
		}
	}
	if top != 9_223_372_032_559_808_500 || LevelThreshold(MaxLevel+1) != math.MaxInt64 || LevelUpTokens(top-1, math.MaxInt64) != TokensPerLevel {
		t.Errorf("top of the curve: %d, %d", top, LevelThreshold(MaxLevel+1))
	}
}

func TestLevelUpTokens(t *testing.T) {
	for _, tc := range []struct {
		before, after int64
		want          int
	}{
		{0, 99, 0}, {0, 100, 5}, {99, 100, 5}, {0, 300, 10}, {100, 299, 0}, {250, 650, 10}, {300, 300, 0},
	} {
		if got := LevelUpTokens(tc.before, tc.after); got != tc.want {
			t.Errorf("LevelUpTokens(%d, %d) = %d, want %d", tc.before, tc.after, got, tc.want)
		}
	}
}

func TestBooster(t *testing.T) {
	start := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	b := EarnBooster(start)
	for _, tc := range []struct {
		name    string
		b       Booster
		base    int
		at      time.Time
		awarded int
		percent int
	}{
		{"none", Booster{}, 15, start, 15, 100},
		{"at start", b, 15, start, 30, 200},
		{"inside", b, 7, start.Add(59 * time.Minute), 14, 200},
		{"at end", b, 15, start.Add(time.Hour), 15, 100},
		{"before", b, 15, start.Add(-time.Second), 15, 100},
		{"zero xp", b, 0, start, 0, 200},
		{"rounds down", Booster{Percent: 150, StartsAt: start, EndsAt: start.Add(time.Hour)}, 5, start, 7, 150},
	} {
		awarded, pct := tc.b.Apply(tc.base, tc.at)
		if awarded != tc.awarded || pct != tc.percent {
			t.Errorf("%s: %d at %d%%, want %d at %d%%", tc.name, awarded, pct, tc.awarded, tc.percent)
		}
	}
	earlier := EarnBooster(start.Add(-20 * time.Hour))
	if b.Replace(earlier) != b || earlier.Replace(b) != b || (Booster{}).Replace(earlier) != earlier || b.Replace(b) != b {
		t.Error("Replace: the booster that ends later is kept")
	}
	if b.Multiplier() != 2 || (Booster{}).Multiplier() != 1 {
		t.Error("multiplier")
	}
}

// days builds dates from offsets to 2026-11-01.
func days(offsets ...int) []civil.Date {
	base := civil.New(2026, 11, 1)
	out := make([]civil.Date, len(offsets))
	for i, o := range offsets {
		out[i] = base.AddDays(o)
	}
	return out
}

func span(from, to int) []int {
	var out []int
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

func TestStreakRules(t *testing.T) {
	for _, tc := range []struct {
		name    string
		active  []int
		want    Streak // Last is the last active offset
		covered []int
	}{
		{"none", nil, Streak{}, nil},
		{"one day", []int{0}, Streak{Current: 1, Longest: 1}, nil},
		{"continues", span(0, 3), Streak{Current: 4, Longest: 4, Last: 3}, nil},
		{"breaks without a freeze", []int{0, 1, 2, 4}, Streak{Current: 1, Longest: 3, Last: 4}, nil},
		{"seven days earn a freeze", span(0, 6), Streak{Current: 7, Longest: 7, Last: 6, Freezes: 1}, nil},
		{"freeze covers one missed day", append(span(0, 6), 8), Streak{Current: 8, Longest: 8, Last: 8, FreezesUsed: 1}, []int{7}},
		{"one freeze does not cover two missed days", append(span(0, 6), 9), Streak{Current: 1, Longest: 7, Last: 9, Freezes: 1}, nil},
		{"two freezes cover two days", append(span(0, 13), 16), Streak{Current: 15, Longest: 15, Last: 16, FreezesUsed: 2}, []int{14, 15}},
		{"freezes capped at two", span(0, 27), Streak{Current: 28, Longest: 28, Last: 27, Freezes: 2}, nil},
		{"longest kept after a break", append(span(0, 9), 20, 21), Streak{Current: 2, Longest: 10, Last: 21, Freezes: 1}, nil},
		{"covered days do not count", append(append(span(0, 6), span(8, 14)...), 16),
			Streak{Current: 15, Longest: 15, Last: 16, FreezesUsed: 2}, []int{7, 15}},
		{"a second gap with no freeze left breaks", append(append(span(0, 6), span(8, 13)...), 15),
			Streak{Current: 1, Longest: 13, Last: 15, FreezesUsed: 1}, []int{7}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, covered := Replay(days(tc.active...))
			want := tc.want
			want.Last = civil.New(2026, 11, 1).AddDays(int(want.Last))
			if !want.Started() {
				want.Last = 0
			}
			if got != want {
				t.Errorf("state %+v, want %+v", got, want)
			}
			if !slices.Equal(covered, days(tc.covered...)) {
				t.Errorf("covered %v, want %v", covered, days(tc.covered...))
			}
		})
	}
	// An out-of-order day changes nothing (the ledger replays instead).
	s, _ := Replay(days(0, 1, 2))
	if again, c := s.Record(civil.New(2026, 11, 1)); again != s || c != nil {
		t.Error("Record of an earlier day changed the state")
	}
}

func TestStreakView(t *testing.T) {
	base := civil.New(2026, 11, 1)
	week, _ := Replay(days(span(0, 6)...)) // 7 days, one freeze, last active day 6
	for _, tc := range []struct {
		name    string
		s       Streak
		today   int
		current int
		atRisk  bool
		avail   int
		used    int
		pending []int
	}{
		{"no activity", Streak{}, 0, 0, false, 0, 0, nil},
		{"active today", week, 6, 7, false, 1, 0, nil},
		{"at risk the next day", week, 7, 7, true, 1, 0, nil},
		{"one missed day: a freeze holds it", week, 8, 7, true, 0, 1, []int{7}},
		{"two missed days: broken, freeze kept", week, 9, 0, false, 1, 0, nil},
		{"last active after today (moved west)", week, 5, 7, false, 1, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := tc.s.At(base.AddDays(tc.today))
			if v.Current != tc.current || v.AtRisk != tc.atRisk || v.FreezesAvailable != tc.avail || v.FreezesUsed != tc.used ||
				v.Longest != tc.s.Longest || !slices.Equal(v.Pending, days(tc.pending...)) || v.HasActivity != tc.s.Started() {
				t.Errorf("view %+v", v)
			}
		})
	}
	// What the view promises is what recording the day does.
	v := week.At(base.AddDays(8))
	next, covered := week.Record(base.AddDays(8))
	if !slices.Equal(v.Pending, covered) || next.Freezes != v.FreezesAvailable || next.FreezesUsed != v.FreezesUsed {
		t.Errorf("view %+v vs recorded %+v %v", v, next, covered)
	}
}

func TestWeek(t *testing.T) {
	la, _ := time.LoadLocation("America/Los_Angeles")
	for _, tc := range []struct {
		day, start, end string
	}{
		{"2026-11-27", "2026-11-22", "2026-11-28"}, // Friday
		{"2026-11-22", "2026-11-22", "2026-11-28"}, // Sunday
		{"2026-11-28", "2026-11-22", "2026-11-28"}, // Saturday
		{"2026-11-03", "2026-11-01", "2026-11-07"}, // the week of the fall-back change in Los Angeles
		{"2026-03-08", "2026-03-08", "2026-03-14"}, // spring-forward Sunday
		{"2027-01-01", "2026-12-27", "2027-01-02"}, // across a year
	} {
		d, _ := civil.Parse(tc.day)
		s, e := Week(d)
		if s.String() != tc.start || e.String() != tc.end || e.DaysSince(s) != 6 || s.Weekday() != time.Sunday {
			t.Errorf("Week(%s) = %s..%s, want %s..%s", tc.day, s, e, tc.start, tc.end)
		}
		// The week's local midnights are 7 distinct days even when one lasts 25 hours.
		seen := map[civil.Date]bool{}
		for i := 0; i < 7; i++ {
			seen[civil.Of(s.AddDays(i).Start(la), la)] = true
		}
		if len(seen) != 7 {
			t.Errorf("week of %s has %d local days", tc.day, len(seen))
		}
	}
	// Today depends on the zone: one instant, two dates.
	auckland, _ := time.LoadLocation("Pacific/Auckland")
	now := time.Date(2026, 11, 27, 20, 0, 0, 0, time.UTC)
	if Today(now, auckland).String() != "2026-11-28" || Today(now, la).String() != "2026-11-27" {
		t.Error("today by zone")
	}
	s, e := PulseRange(civil.New(2026, 11, 27))
	if e.DaysSince(s) != 364 || s.String() != "2025-11-28" {
		t.Errorf("pulse range %s..%s", s, e)
	}
}

func TestDailyQuests(t *testing.T) {
	if len(QuestPool) < 8 {
		t.Fatalf("pool of %d", len(QuestPool))
	}
	keys := map[string]bool{}
	for _, q := range QuestPool {
		if keys[q.Key] || q.Target <= 0 || q.RewardXP <= 0 || q.Title == "" || q.Description == "" {
			t.Errorf("bad quest %+v", q)
		}
		keys[q.Key] = true
	}
	day := civil.New(2026, 11, 27)
	a := DailyQuests("0190f5a2-0000-7000-8000-000000000001", day)
	if !slices.EqualFunc(a, DailyQuests("0190f5a2-0000-7000-8000-000000000001", day), func(x, y Quest) bool { return x.Key == y.Key }) {
		t.Fatal("not deterministic")
	}
	sets := map[string]bool{}
	for i := range 50 {
		qs := DailyQuests(fmt.Sprintf("user-%d", i), day)
		if len(qs) != QuestsPerDay {
			t.Fatalf("%d quests", len(qs))
		}
		metrics := map[Metric]bool{}
		var k []string
		for _, q := range qs {
			if metrics[q.Metric] {
				t.Errorf("two quests measure %s: %v", q.Metric, qs)
			}
			metrics[q.Metric] = true
			k = append(k, q.Key)
		}
		sets[fmt.Sprint(k)] = true
	}
	if len(sets) < 10 {
		t.Errorf("only %d different sets among 50 users", len(sets))
	}
	// The same user's draw changes across days.
	days := map[string]bool{}
	for i := range 30 {
		days[fmt.Sprint(DailyQuests("user-1", day.AddDays(i)))] = true
	}
	if len(days) < 5 {
		t.Errorf("only %d different sets over 30 days", len(days))
	}
}

func TestQuestProgress(t *testing.T) {
	quest := func(key string) Quest {
		for _, q := range QuestPool {
			if q.Key == key {
				return q
			}
		}
		t.Fatalf("no quest %s", key)
		return Quest{}
	}
	for _, tc := range []struct {
		key  string
		t    DayTotals
		want int
	}{
		{"earn_50_xp", DayTotals{XP: 70, XPSegment: 20, XPQuiz: 10, XPReward: 40}, 30},
		{"earn_50_xp", DayTotals{XPSegment: 60}, 50},
		{"segment_40_xp", DayTotals{XPSegment: 39, XPQuiz: 100}, 39},
		{"quiz_30_xp", DayTotals{XPQuiz: 31}, 30},
		{"practice_15_minutes", DayTotals{ActiveSeconds: 899}, 14},
		{"practice_15_minutes", DayTotals{ActiveSeconds: 900}, 15},
		{"complete_3_tasks", DayTotals{TasksCompleted: 2}, 2},
		{"score_80_twice", DayTotals{HighScores: 5}, 2},
		{"finish_session", DayTotals{SessionsCompleted: 1}, 1},
		{"keep_streak", DayTotals{XPReward: 20}, 0},
		{"keep_streak", DayTotals{XPQuiz: 1}, 1},
	} {
		if got := quest(tc.key).Progress(tc.t); got != tc.want {
			t.Errorf("%s with %+v: %d, want %d", tc.key, tc.t, got, tc.want)
		}
	}
	qs := []Quest{quest("earn_50_xp"), quest("complete_3_tasks"), quest("finish_session")}
	before, after := DayTotals{XPSegment: 45, TasksCompleted: 3}, DayTotals{XPSegment: 55, TasksCompleted: 4}
	if done := Completed(qs, before, after); len(done) != 1 || done[0].Key != "earn_50_xp" {
		t.Errorf("completed %v", done)
	}
	if AllDone(qs, after) || !AllDone(qs, DayTotals{XPSegment: 55, TasksCompleted: 4, SessionsCompleted: 1}) || AllDone(nil, after) {
		t.Error("AllDone")
	}
}

func TestPulseScale(t *testing.T) {
	for _, tc := range []struct {
		name string
		xp   []int64
		// intensities of xp 0 (no time), 0 with time, 1, 10, 20, 30, 40, 100
		want []int
	}{
		{"no activity", nil, []int{0, 1, 4, 4, 4, 4, 4, 4}},
		{"one day", []int64{20}, []int{0, 1, 1, 1, 4, 4, 4, 4}},
		{"quartiles 10/20/30", []int64{0, 0, 10, 20, 30, 40}, []int{0, 1, 1, 2, 3, 4, 4, 4}},
		{"all equal", []int64{10, 10, 10, 10}, []int{0, 1, 1, 4, 4, 4, 4, 4}},
	} {
		s := NewPulseScale(tc.xp)
		var got []int
		for _, d := range []struct{ xp, sec int64 }{{0, 0}, {0, 60}, {1, 0}, {10, 0}, {20, 0}, {30, 0}, {40, 0}, {100, 0}} {
			got = append(got, s.Intensity(d.xp, d.sec))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestDateRange(t *testing.T) {
	today := civil.New(2026, 11, 27)
	d := func(s string) *civil.Date {
		v, err := civil.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return &v
	}
	for _, tc := range []struct {
		name       string
		start, end *civil.Date
		from, to   string
		err        error
	}{
		{"default: last 30 days", nil, nil, "2026-10-29", "2026-11-27", nil},
		{"start only", d("2026-11-01"), nil, "2026-11-01", "2026-11-27", nil},
		{"end only", nil, d("2026-06-30"), "2026-06-01", "2026-06-30", nil},
		{"one day", d("2026-11-27"), d("2026-11-27"), "2026-11-27", "2026-11-27", nil},
		{"366 days", d("2025-11-27"), d("2026-11-27"), "2025-11-27", "2026-11-27", nil},
		{"367 days", d("2025-11-26"), d("2026-11-27"), "", "", ErrRangeTooLong},
		{"reversed", d("2026-11-28"), d("2026-11-27"), "", "", ErrRangeReversed},
		{"start after today", d("2026-12-01"), nil, "", "", ErrRangeReversed},
		{"first representable day", d("0001-01-01"), d("0001-01-05"), "0001-01-01", "0001-01-05", nil},
		{"first representable end", nil, d("0001-01-05"), "0001-01-01", "0001-01-05", nil},
		{"last representable day", nil, d("9999-12-31"), "9999-12-02", "9999-12-31", nil},
		{"end on the first date", nil, d("0001-01-01"), "0001-01-01", "0001-01-01", nil},
		{"end near the first date", nil, d("0001-01-10"), "0001-01-01", "0001-01-10", nil},
	} {
		from, to, err := DateRange(today, tc.start, tc.end)
		if err != tc.err || (err == nil && (from.String() != tc.from || to.String() != tc.to)) {
			t.Errorf("%s: %s..%s %v", tc.name, from, to, err)
		}
	}
}

func TestSessionFinished(t *testing.T) {
	for secs, want := range map[int64]bool{0: false, 59: false, 60: true, 3600: true} {
		if got := SessionFinished(secs); got != want {
			t.Errorf("SessionFinished(%d) = %v", secs, got)
		}
	}
}

func TestSessionXP(t *testing.T) {
	for _, c := range []struct {
		secs int64
		want int
	}{{-5, 0}, {0, 0}, {59, 0}, {60, 2}, {119, 2}, {120, 4}, {29*60 + 59, 58}, {30 * 60, 60}, {5 * 3600, 60}} {
		if got := SessionXP(c.secs); got != c.want {
			t.Errorf("SessionXP(%d) = %d, want %d", c.secs, got, c.want)
		}
	}
}
