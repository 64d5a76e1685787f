package conversation

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xentree/xentree-api/internal/ai"
)

func turns(spec string) []ai.Message {
	var out []ai.Message
	for _, f := range strings.Fields(spec) {
		role, text, _ := strings.Cut(f, ":")
		out = append(out, ai.Message{Role: map[string]ai.Role{"u": ai.RoleUser, "a": ai.RoleAssistant, "s": ai.RoleSystem}[role], Content: text})
	}
	return out
}

func render(ms []ai.Message) string {
	var parts []string
	for _, m := range ms {
		parts = append(parts, string(m.Role[0])+":"+m.Content)
	}
	return strings.Join(parts, " ")
}

func TestTrim(t *testing.T) {
	for _, c := range []struct {
		history string
		b       Budget
		want    string
		dropped int
	}{
		{"", Budget{10, 100}, "", 0},
		{"u:aa a:bb u:cc a:dd", Budget{10, 100}, "u:aa a:bb u:cc a:dd", 0},
		{"u:aa a:bb u:cc a:dd", Budget{2, 100}, "u:cc a:dd", 2},               // turn bound
		{"u:aa a:bb u:cc a:dd", Budget{10, 5}, "u:cc a:dd", 2},                // char bound: 4 fit, 6 do not
		{"u:aa a:bb u:cc a:dd", Budget{10, 6}, "a:bb u:cc a:dd", 1},           // exactly at the bound
		{"u:aa a:bb u:cc a:dddddddd", Budget{10, 5}, "", 4},                   // the newest alone is too long: nothing older either
		{"u:aa a:bb u:cc a:dddddddd u:e", Budget{10, 9}, "a:dddddddd u:e", 3}, // an unbroken tail, never a gap
		{"s:rules u:aa a:bb u:cc", Budget{1, 100}, "s:rules u:cc", 2},         // system turns stay, uncounted
		{"u:aa s:mid a:bb u:cc", Budget{2, 100}, "s:mid a:bb u:cc", 1},        // in place
		{"s:xxxxxxxxxxxx u:aa", Budget{5, 2}, "s:xxxxxxxxxxxx u:aa", 0},       // system text is not budgeted
		{"u:aa a:bb", Budget{0, 100}, "", 2},
		{"u:éé a:ßß u:日本", Budget{10, 4}, "a:ßß u:日本", 1}, // characters, not bytes
	} {
		got, dropped := Trim(turns(c.history), c.b)
		if render(got) != c.want || dropped != c.dropped {
			t.Errorf("Trim(%q, %+v) = %q (%d dropped), want %q (%d)", c.history, c.b, render(got), dropped, c.want, c.dropped)
		}
	}
}

func TestTitle(t *testing.T) {
	long := strings.Repeat("word ", 30)
	for _, c := range []struct{ in, want string }{
		{"How do I use the present perfect?", "How do I use the present perfect?"},
		{"  \n\n  Past   tense\tquestion \nsecond line", "Past tense question"},
		{"", DefaultTitle},
		{" \n\t ", DefaultTitle},
		{"\u202egnp.exe\u200b", "gnp.exe"},
		{"a\x00b\x1bc", "abc"},
		{long, strings.TrimSpace(strings.Repeat("word ", 11)) + "…"},
		{strings.Repeat("x", 100), strings.Repeat("x", 59) + "…"},
		{"Explain, please: " + strings.Repeat("ab, ", 20), "Explain, please: ab, ab, ab, ab, ab, ab, ab, ab, ab, ab…"},
		{strings.Repeat("日本語", 30), strings.Repeat("日本語", 19) + "日本…"},
	} {
		got := Title(c.in)
		if got != c.want {
			t.Errorf("Title(%q) = %q, want %q", c.in, got, c.want)
		}
		if n := len([]rune(got)); n > TitleLength {
			t.Errorf("Title(%q) has %d characters", c.in, n)
		}
	}
}

func TestHiddenCharacters(t *testing.T) {
	for s, want := range map[string]bool{
		"Past tenses": false, "Café – déjà vu": false, "日本語": false,
		"a\u202eb": true, "a\u200bb": true, "a\nb": true, "a\tb": true, "a\u2028b": true,
	} {
		if got := HiddenCharacters(s); got != want {
			t.Errorf("HiddenCharacters(%q) = %v", s, got)
		}
	}
}

func TestCredit(t *testing.T) {
	t0 := time.Date(2026, 11, 10, 10, 0, 0, 0, time.UTC)
	ptr := func(n int) *int { return &n }
	for _, c := range []struct {
		elapsed  time.Duration
		limit    time.Duration
		reported *int
		want     int64
		carry    time.Duration // until - t0
	}{
		{30 * time.Second, 2 * time.Minute, nil, 30, 30 * time.Second},
		{30500 * time.Millisecond, 2 * time.Minute, nil, 30, 30 * time.Second}, // the half second carries
		{999 * time.Millisecond, 2 * time.Minute, nil, 0, 0},
		{10 * time.Minute, 2 * time.Minute, nil, 120, 10 * time.Minute},            // idle gap: capped, rest dropped
		{60 * time.Second, 2 * time.Minute, ptr(300), 60, 60 * time.Second},        // inflated count: elapsed wins
		{60 * time.Second, 2 * time.Minute, ptr(20), 20, 60 * time.Second},         // the client's count wins
		{60500 * time.Millisecond, 2 * time.Minute, ptr(60), 60, 60 * time.Second}, // equal to elapsed: carried
		{10 * time.Minute, 2 * time.Minute, ptr(300), 120, 10 * time.Minute},
		{30 * time.Second, 2 * time.Minute, ptr(0), 0, 30 * time.Second},
		{0, 2 * time.Minute, nil, 0, 0},
		{-time.Second, 2 * time.Minute, nil, 0, 0}, // a clock step back credits nothing
	} {
		t.Run(fmt.Sprint(c.elapsed, c.reported), func(t *testing.T) {
			got, until := Credit(t0, t0.Add(c.elapsed), c.limit, c.reported)
			if got != c.want || !until.Equal(t0.Add(c.carry)) {
				t.Errorf("Credit(+%s, cap %s, %v) = %d until +%s, want %d until +%s", c.elapsed, c.limit, c.reported, got, until.Sub(t0), c.want, c.carry)
			}
		})
	}
}

func TestExpired(t *testing.T) {
	t0 := time.Date(2026, 11, 10, 10, 0, 0, 0, time.UTC)
	if Expired(t0, t0.Add(15*time.Minute), 15*time.Minute) || !Expired(t0, t0.Add(15*time.Minute+time.Microsecond), 15*time.Minute) {
		t.Fatal("expiry boundary")
	}
}
