package civil

import (
	"testing"
	"time"
)

func TestDates(t *testing.T) {
	auckland, _ := time.LoadLocation("Pacific/Auckland")
	la, _ := time.LoadLocation("America/Los_Angeles")
	instant := time.Date(2026, 3, 10, 20, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		got  Date
		want string
	}{
		{"utc", Of(instant, time.UTC), "2026-03-10"},
		{"auckland is ahead", Of(instant, auckland), "2026-03-11"},
		{"los angeles", Of(instant, la), "2026-03-10"},
		{"epoch", New(1970, 1, 1), "1970-01-01"},
		{"before epoch", New(1969, 12, 31), "1969-12-31"},
		{"leap day", New(2028, 2, 28).AddDays(1), "2028-02-29"},
		{"normalizes", New(2026, 13, 1), "2027-01-01"},
		{"year back", New(2026, 3, 1).AddDays(-365), "2025-03-01"},
	} {
		if tc.got.String() != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, tc.got, tc.want)
		}
	}
	if New(1970, 1, 1) != 0 || New(2026, 11, 27).DaysSince(New(2026, 11, 20)) != 7 {
		t.Error("day numbers")
	}
	for d := New(2026, 1, 1); d < New(2026, 1, 15); d++ {
		if d.Weekday() != d.UTCMidnight().Weekday() {
			t.Errorf("%s: weekday %s", d, d.Weekday())
		}
	}
	if New(1969, 12, 28).Weekday() != time.Sunday {
		t.Error("weekday before the epoch")
	}
}

// TestDSTDays: a day is one step of a Date, even where it lasts 23 or 25 hours.
func TestDSTDays(t *testing.T) {
	la, _ := time.LoadLocation("America/Los_Angeles")
	spring := New(2026, 3, 8) // clocks go forward in Los Angeles
	if h := spring.AddDays(1).Start(la).Sub(spring.Start(la)); h != 23*time.Hour {
		t.Errorf("spring-forward day lasts %s", h)
	}
	fall := New(2026, 11, 1)
	if h := fall.AddDays(1).Start(la).Sub(fall.Start(la)); h != 25*time.Hour {
		t.Errorf("fall-back day lasts %s", h)
	}
	// Adding 24 hours to the fall-back midnight stays on the same local day; a Date does not.
	if Of(fall.Start(la).Add(24*time.Hour), la) != fall || Of(fall.AddDays(1).Start(la), la) != fall+1 {
		t.Error("24 hours vs one day")
	}
}

// TestStartInMidnightGap: where a DST change skips midnight, a day starts at the first instant
// it has (time.Date answers 23:00 of the day before there).
func TestStartInMidnightGap(t *testing.T) {
	for _, tc := range []struct {
		zone string
		day  Date
		want string // UTC
	}{
		{"America/Santiago", New(2024, 9, 8), "2024-09-08T04:00:00Z"},   // 00:00 -04 → 01:00 -03
		{"America/Havana", New(2024, 3, 10), "2024-03-10T05:00:00Z"},    // 00:00 CST → 01:00 CDT
		{"America/Sao_Paulo", New(2018, 11, 4), "2018-11-04T03:00:00Z"}, // 00:00 -03 → 01:00 -02
		{"America/Santiago", New(2024, 9, 9), "2024-09-09T03:00:00Z"},   // an ordinary midnight
		{"Pacific/Kiritimati", New(2026, 11, 28), "2026-11-27T10:00:00Z"},
		{"Pacific/Pago_Pago", New(2026, 11, 26), "2026-11-26T11:00:00Z"},
	} {
		loc, err := time.LoadLocation(tc.zone)
		if err != nil {
			t.Fatal(err)
		}
		got := tc.day.Start(loc)
		if got.UTC().Format(time.RFC3339) != tc.want || Of(got, loc) != tc.day || Of(got.Add(-time.Nanosecond), loc) != tc.day-1 {
			t.Errorf("%s %s starts at %s (%s), want %s", tc.zone, tc.day, got, got.UTC().Format(time.RFC3339), tc.want)
		}
	}
}

func TestParseScanText(t *testing.T) {
	d, err := Parse("2026-11-27")
	if err != nil || d != New(2026, 11, 27) {
		t.Fatalf("parse: %v %v", d, err)
	}
	for _, bad := range []string{"", "2026-02-30", "27/11/2026", "2026-11-27T00:00:00Z"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
	var s Date
	for _, src := range []any{"2026-11-27", []byte("2026-11-27"), time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), "2026-11-27 00:00:00+00:00"} {
		if err := s.Scan(src); err != nil || s != d {
			t.Errorf("Scan(%v): %v %v", src, s, err)
		}
	}
	if err := s.Scan(42); err == nil {
		t.Error("scanned an int")
	}
	if v, _ := d.Value(); v != "2026-11-27" {
		t.Errorf("value %v", v)
	}
	b, _ := d.MarshalText()
	var back Date
	if back.UnmarshalText(b) != nil || back != d {
		t.Error("text round trip")
	}
}

func TestStringMatchesFormat(t *testing.T) {
	for d := New(1899, 12, 25); d < New(2101, 1, 7); d += 13 {
		if d.String() != d.UTCMidnight().Format(Layout) {
			t.Fatalf("%s vs %s", d.String(), d.UTCMidnight().Format(Layout))
		}
	}
	if s := New(-1, 1, 1).String(); s != New(-1, 1, 1).UTCMidnight().Format(Layout) {
		t.Errorf("year -1: %s", s)
	}
}
