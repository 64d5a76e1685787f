package names

import (
	"strings"
	"testing"
)

func TestClean(t *testing.T) {
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"  Acme Ltd ", "Acme Ltd", true},
		{"Zoë", "Zoë", true},
		{"Zoe\u0308", "Zoë", true}, // NFC
		{"ภาษาไทย", "ภาษาไทย", true},
		{"東京 チーム", "東京 チーム", true},
		{"R&D / QA – 2026 ✓", "R&D / QA – 2026 ✓", true},
		{"", "", false},
		{"   ", "", false},
		{"\u3164", "", false},                                // Hangul filler: looks blank
		{"Acme\u3164Ltd", "", false},                         // filler inside
		{"\u115f\u1160", "", false},                          // Hangul choseong/jungseong fillers
		{"\uffa0", "", false},                                // halfwidth Hangul filler
		{"\u2800", "", false},                                // blank braille pattern
		{"Ac\u200bme", "", false},                            // zero-width space
		{"Acme\u202eetis", "", false},                        // bidi override
		{"a\u00adb", "", false},                              // soft hyphen (format)
		{"tab\there", "", false},                             // control
		{"\ue000", "", false},                                // private use
		{"\U000e0041", "", false},                            // tag character
		{"\u0301abc", "", false},                             // combining mark first
		{"a\u0301\u0301\u0301\u0301", "", true},              // NFC folds one into á: four left, the limit
		{"a\u0301\u0301\u0301\u0301\u0301\u0301", "", false}, // NFC folds one: five left
		{"bad\xffutf8", "", false},
		{"line\u2028sep", "", false}, // line separator
	} {
		got, err := Clean(c.in)
		if (err == nil) != c.ok || c.ok && c.want != "" && got != c.want {
			t.Errorf("Clean(%q) = %q, %v; want %q ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
	if _, err := Clean(strings.Repeat("x", 10000)); err != nil {
		t.Error("length is the caller's rule")
	}
}
