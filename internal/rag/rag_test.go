package rag

import (
	"slices"
	"strings"
	"testing"
)

func TestPrompt(t *testing.T) {
	got := Prompt("  When do I use it? ", []Passage{
		{Title: "Conditionals", Heading: "Conditionals > Second conditional", Text: "Use it for unreal situations.\n"},
		{Title: "Refunds", Text: "Refunds within 30 days."},
		{Title: "Notes", Heading: "Deadlines", Text: "Ask early."},
	})
	want := "Passages:\n\n[1] Conditionals > Second conditional\nUse it for unreal situations.\n\n" +
		"[2] Refunds\nRefunds within 30 days.\n\n[3] Notes > Deadlines\nAsk early.\n\nQuestion: When do I use it?"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestCite(t *testing.T) {
	for _, c := range []struct {
		answer string
		n      int
		want   string
		used   []int
	}{
		{"No citations.", 3, "No citations.", nil},
		{"A [1]. B [2].", 2, "A [1]. B [2].", []int{0, 1}},
		{"A [3]. B [1]. C [3].", 3, "A [1]. B [2]. C [1].", []int{2, 0}},
		{"A [2, 3] and [1,2].", 3, "A [1, 2] and [3, 1].", []int{1, 2, 0}},
		{"Bad [9] and good [2].", 3, "Bad  and good [1].", []int{1}},
		{"Only bad [0] [7].", 3, "Only bad [0] [7].", nil},
		{"Array [i] and [2][1].", 2, "Array [i] and [1][2].", []int{1, 0}},
	} {
		got, used := Cite(c.answer, c.n)
		if got != c.want || !slices.Equal(used, c.used) {
			t.Errorf("Cite(%q, %d) = %q, %v; want %q, %v", c.answer, c.n, got, used, c.want, c.used)
		}
	}
}

func TestStem(t *testing.T) {
	for w, want := range map[string]string{"running": "run", "run": "run", "conditionals": "conditional",
		"studies": "study", "stopped": "stop", "walked": "walk", "quickly": "quick", "is": "is", "class": "class"} {
		if got := stem(w); got != want {
			t.Errorf("stem(%q) = %q, want %q", w, got, want)
		}
	}
}

func TestSplitSentences(t *testing.T) {
	md := "# Title\n\nFirst sentence, e.g. an example. Second one!\nStill second? Third.\n\n" +
		"- item one\n- **item** two\n1. numbered\n\n| a | b |\n\n```\ncode. here.\n```\nDr. Who came."
	want := []string{"First sentence, e.g. an example.", "Second one!", "Still second?", "Third.",
		"item one", "item two", "numbered", "Dr. Who came."}
	if got := splitSentences(md); !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestExtractive(t *testing.T) {
	ps := []Passage{
		{Title: "Conditionals", Heading: "Conditionals > Second conditional",
			Text: "## Second conditional\n\nIt is about unreal situations. We use **would** in the main clause. If I won, I would travel. Nothing here."},
		{Title: "Running", Text: "She runs every day. The weather was fine."},
		{Title: "Unrelated", Text: "Completely different text."},
	}
	answer, used := Extractive([]string{"second", "conditional", "would", "running"}, ps, 3)
	if !strings.HasPrefix(answer, ExtractiveLabel) || !slices.Equal(used, []int{0, 1, 2}) {
		t.Fatalf("answer %q, used %v", answer, used)
	}
	for _, want := range []string{
		"- **Conditionals > Second conditional**: We use would in the main clause. If I won, I would travel. [1]",
		"- **Running**: She runs every day. [2]",
		"- **Unrelated**: Completely different text. [3]",
	} {
		if !strings.Contains(answer, want) {
			t.Errorf("answer lacks %q:\n%s", want, answer)
		}
	}
	if a, u := Extractive([]string{"x"}, ps, 1); !strings.Contains(a, "[1]") || len(u) != 1 || strings.Contains(a, "[2]") {
		t.Errorf("max 1: %q %v", a, u)
	}
	if a, u := Extractive([]string{"x"}, nil, 3); a != "" || u != nil {
		t.Errorf("no passages: %q %v", a, u)
	}
}
