package xel

import (
	"slices"
	"testing"
)

func TestNormalize(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Hello,   World!!", "hello world"},
		{"  I don't know. ", "i do not know"},
		{"I DON'T KNOW", "i do not know"},
		{"I don’t know", "i do not know"},      // curly apostrophe
		{"I don`t know", "i do not know"},      // backtick typed as an apostrophe
		{"I donʼt know", "i do not know"},      // modifier letter apostrophe
		{"I'm here", "i am here"},              //
		{"you're late", "you are late"},        //
		{"we've finished", "we have finished"}, //
		{"they'll come", "they will come"},     //
		{"won't", "will not"},                  // irregular
		{"can't", "can not"},                   // irregular
		{"cannot", "can not"},                  // one word
		{"shan't", "shall not"},                // irregular
		{"isn't aren't wasn't", "is not are not was not"},
		{"doesn't didn't haven't", "does not did not have not"},
		{"wouldn't've", "would not have"}, // double contraction
		{"Let's go", "let us go"},
		{"She's left", "she is left"},                  // first reading; Variants has "she has"
		{"It's its own", "it is its own"},              // it's is not its
		{"Anna's book", "anna's book"},                 // possessive kept
		{"the students' books", "the students' books"}, // plural possessive kept
		{"'hello'", "hello"},                           // quotes dropped
		{"“Hello,” she said.", "hello she said"},       // curly double quotes
		{"at eight o'clock", "at eight o'clock"},       //
		{"well-known", "well known"},                   // hyphen splits
		{"twenty–one", "twenty one"},                   // en dash
		{"café naïve", "cafe naive"},                   // diacritics folded
		{"ＡＢＣ １２３", "abc 123"},                         // full-width forms
		{"at 3:30, or 4.30", "at 3:30 or 4.30"},        // digit punctuation kept
		{"10,000 people.", "10,000 people"},            //
		{"£3.50", "3.50"},                              // currency sign dropped
		{"rock 'n' roll", "rock n roll"},               //
		{"...", ""},                                    //
		{"", ""},
	} {
		if got := Normalize(c.in); got != c.want {
			t.Errorf("Normalize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestVariants(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"she's gone", []string{"she is gone", "she has gone"}},
		{"I'd go", []string{"i would go", "i had go"}},
		{"it's what's", []string{"it is what is", "it is what has", "it has what is", "it has what has"}},
		{"John's car", []string{"john's car"}},
	} {
		if got := Variants(c.in); !slices.Equal(got, c.want) {
			t.Errorf("Variants(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	many := ""
	for range 20 {
		many += "she's "
	}
	if n := len(Variants(many)); n > maxVariants {
		t.Errorf("Variants of 20 ambiguous words: %d readings, want at most %d", n, maxVariants)
	}
}

func TestEquivalent(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"don't", "do not", true},
		{"I'm", "I am", true},
		{"won't", "will not", true},
		{"can't", "cannot", true},
		{"can't", "can not", true},
		{"He's gone", "he has gone", true},
		{"He's gone", "he is gone", true},
		{"I'd have called", "I would have called", true},
		{"it's", "its", false},
		{"dont", "do not", false}, // a missing apostrophe is a spelling mistake
		{"will", "won't", false},
		{"went", "gone", false},
	} {
		if got := Equivalent(c.a, c.b); got != c.want {
			t.Errorf("Equivalent(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestNearMiss(t *testing.T) {
	for _, c := range []struct {
		got, want string
		near      bool
	}{
		{"recieve", "receive", true},         // a swap is one edit
		{"studyed", "studied", true},         // one edit
		{"studied", "studied", false},        // equal is not a miss
		{"went", "gone", false},              // a different word
		{"responsable", "responsible", true}, //
		{"a", "an", false},                   // short words: another word, not a typo
		{"accomodation", "accommodation", true},
		{"acomodation", "accommodation", true},  // two edits, long word
		{"acomodatoin", "accommodation", false}, // three
		{"", "an", false},
	} {
		if got := nearMiss(c.got, c.want); got != c.near {
			t.Errorf("nearMiss(%q, %q) = %v, want %v", c.got, c.want, got, c.near)
		}
	}
	for _, c := range []struct {
		a, b string
		d    int
	}{{"kitten", "sitting", 3}, {"ab", "ba", 1}, {"", "abc", 3}, {"café", "cafe", 1}} {
		if d := editDistance(c.a, c.b); d != c.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", c.a, c.b, d, c.d)
		}
	}
}
