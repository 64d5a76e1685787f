package evaluate

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"unicode"

	"pgregory.net/rapid"
)

// checkValid asserts the shape the API promises for any result.
func checkValid(t *testing.T, name string, k Kind, r Result) {
	t.Helper()
	if r.OverallScore < 0 || r.OverallScore > 100 {
		t.Errorf("%s: overall %v out of range", name, r.OverallScore)
	}
	if levelIndex(r.CEFREstimate) < 0 {
		t.Errorf("%s: CEFR %q not a level", name, r.CEFREstimate)
	}
	want := Criteria(k)
	if len(r.Criteria) != len(want) {
		t.Fatalf("%s: criteria %+v, want %v", name, r.Criteria, want)
	}
	for i, c := range r.Criteria {
		if c.Criterion != want[i] || c.Score < 0 || c.Score > 100 || strings.TrimSpace(c.Feedback) == "" {
			t.Errorf("%s: criterion %d = %+v", name, i, c)
		}
	}
	if strings.TrimSpace(r.Feedback) == "" || r.Provider == "" || r.Model == "" {
		t.Errorf("%s: feedback %q provider %q model %q", name, r.Feedback, r.Provider, r.Model)
	}
}

func TestOfflineOrdersLevels(t *testing.T) {
	for _, s := range samples {
		a1 := Offline(Input{Kind: s.kind, Prompt: s.prompt, Text: s.a1})
		b1 := Offline(Input{Kind: s.kind, Prompt: s.prompt, Text: s.b1})
		c1 := Offline(Input{Kind: s.kind, Prompt: s.prompt, Text: s.c1})
		for lv, r := range map[string]Result{"A1": a1, "B1": b1, "C1": c1} {
			checkValid(t, s.name+" "+lv, s.kind, r)
			if r.Provider != OfflineProvider || r.Model != OfflineModel {
				t.Errorf("%s %s: evaluator %s/%s", s.name, lv, r.Provider, r.Model)
			}
		}
		t.Logf("%s: A1 %v %s, B1 %v %s, C1 %v %s", s.name, a1.OverallScore, a1.CEFREstimate, b1.OverallScore, b1.CEFREstimate, c1.OverallScore, c1.CEFREstimate)
		if a1.OverallScore+10 > b1.OverallScore || b1.OverallScore+10 > c1.OverallScore {
			t.Errorf("%s: scores A1 %v, B1 %v, C1 %v: want each at least 10 above the one before", s.name, a1.OverallScore, b1.OverallScore, c1.OverallScore)
		}
		la, lb, lc := levelIndex(a1.CEFREstimate), levelIndex(b1.CEFREstimate), levelIndex(c1.CEFREstimate)
		if la >= lb || lb >= lc {
			t.Errorf("%s: levels %s, %s, %s not increasing", s.name, a1.CEFREstimate, b1.CEFREstimate, c1.CEFREstimate)
		}
		// Each estimate is within one level of the level the text was written at.
		for _, c := range []struct {
			got, want int
			name      string
		}{{la, 0, "A1"}, {lb, 2, "B1"}, {lc, 4, "C1"}} {
			if c.got < c.want-1 || c.got > c.want+1 {
				t.Errorf("%s: the %s text is estimated %s", s.name, c.name, Levels[c.got])
			}
		}
		// Vocabulary and grammar, not only length, separate the levels.
		for _, crit := range []int{2, 3} {
			if !(a1.Criteria[crit].Score < b1.Criteria[crit].Score && b1.Criteria[crit].Score < c1.Criteria[crit].Score) {
				t.Errorf("%s: %s not ordered: %v %v %v", s.name, a1.Criteria[crit].Criterion, a1.Criteria[crit].Score, b1.Criteria[crit].Score, c1.Criteria[crit].Score)
			}
		}
	}
}

func TestOfflineLowScores(t *testing.T) {
	offTopic := map[string]string{ // prompt sample -> the sample whose C1 text answers something else
		"weekend":         "technology",
		"favourite place": "technology",
		"technology":      "favourite place",
		"holiday email":   "technology",
	}
	byName := map[string]sample{}
	for _, s := range samples {
		byName[s.name] = s
	}
	for _, s := range samples {
		if s.kind != Writing {
			continue
		}
		onTopic := Offline(Input{Kind: Writing, Prompt: s.prompt, Text: s.c1})
		cases := []struct {
			name, text string
			max        float64
		}{
			{"empty", "", 0},
			{"blank", " \n\t ", 0},
			{"punctuation only", "... !!! ???", 0},
			{"one word", "Yes.", 8},
			{"one topic word", strings.Fields(s.prompt)[len(strings.Fields(s.prompt))-1], 8},
			{"pasted prompt", s.prompt, 0},
			{"pasted prompt twice", s.prompt + " " + s.prompt, 0},
			{"pasted prompt plus a word", s.prompt + " Yes.", 8},
			{"keyboard mash", "asdfg qwrtz xcvbn lkjhg poiuz mnbvc asdfg qwrtz xcvbn lkjhg poiuz mnbvc tzrew", 15},
			{"off topic", byName[offTopic[s.name]].c1, 40},
		}
		for _, c := range cases {
			r := Offline(Input{Kind: Writing, Prompt: s.prompt, Text: c.text})
			checkValid(t, s.name+" "+c.name, Writing, r)
			if r.OverallScore > c.max {
				t.Errorf("%s / %s: overall %v, want at most %v (%+v)", s.name, c.name, r.OverallScore, c.max, r.Criteria)
			}
			if c.name != "off topic" && r.CEFREstimate != "A1" {
				t.Errorf("%s / %s: CEFR %s, want A1", s.name, c.name, r.CEFREstimate)
			}
			if c.name == "off topic" {
				ta := r.Criteria[0]
				if ta.Score > 25 || !strings.Contains(ta.Feedback, "does not answer the prompt") {
					t.Errorf("%s / off topic: task achievement %+v", s.name, ta)
				}
				if r.OverallScore > onTopic.OverallScore-35 {
					t.Errorf("%s / off topic: %v against %v on topic", s.name, r.OverallScore, onTopic.OverallScore)
				}
			}
		}
	}
}

func TestOfflineIsDeterministic(t *testing.T) {
	var ins []Input
	for _, s := range samples {
		for _, txt := range []string{s.a1, s.b1, s.c1} {
			ins = append(ins, Input{Kind: s.kind, Prompt: s.prompt, Text: txt})
		}
	}
	want := make([]Result, len(ins))
	for i, in := range ins {
		want[i] = Offline(in)
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, in := range ins {
				if got := Offline(in); !reflect.DeepEqual(got, want[i]) {
					t.Errorf("input %d: result changed:\n%+v\n%+v", i, got, want[i])
				}
			}
		}()
	}
	wg.Wait()
}

func TestFillersLowerFluency(t *testing.T) {
	prompt := "Talk about your job or your studies. What do you do, and what do you like about it?"
	clean := "I'm a nurse in a big hospital. I work at night, so I sleep in the afternoon. I like my job because I can help people, and my colleagues are friendly. Sometimes it is very stressful, but I never get bored."
	hesitant := "Um, I'm a, I'm a nurse in a, uh, big hospital. I work at, um, at night, so I, like, sleep in the afternoon. Uh, I like my job because, um, I can help, you know, help people, and my colleagues are, uh, friendly. Sometimes it is, um, very, er, stressful, but I never, uh, get bored."
	a := Offline(Input{Kind: Speaking, Prompt: prompt, Text: clean})
	b := Offline(Input{Kind: Speaking, Prompt: prompt, Text: hesitant})
	checkValid(t, "clean", Speaking, a)
	checkValid(t, "hesitant", Speaking, b)
	fa, fb := a.Criteria[4], b.Criteria[4]
	if fa.Criterion != Fluency || fa.Score < fb.Score+30 {
		t.Errorf("fluency clean %v, hesitant %v: want at least 30 points apart", fa.Score, fb.Score)
	}
	if a.OverallScore <= b.OverallScore {
		t.Errorf("overall clean %v, hesitant %v", a.OverallScore, b.OverallScore)
	}
	if !strings.Contains(fb.Feedback, "fillers") || !strings.Contains(fb.Feedback, "false starts or repetitions") {
		t.Errorf("hesitant fluency feedback: %q", fb.Feedback)
	}
	// Fillers are not grammar errors or vocabulary: those criteria barely move.
	for _, i := range []int{2, 3} {
		if d := a.Criteria[i].Score - b.Criteria[i].Score; d > 8 || d < -8 {
			t.Errorf("%s moved by %v with fillers", a.Criteria[i].Criterion, d)
		}
	}
	for _, r := range []Result{a, b} {
		if !strings.Contains(r.Criteria[4].Feedback, "Pronunciation is not scored") || !strings.Contains(r.Feedback, "Pronunciation is not assessed") {
			t.Errorf("pronunciation disclaimer missing: %q / %q", r.Criteria[4].Feedback, r.Feedback)
		}
		for _, c := range r.Criteria {
			if strings.Contains(c.Criterion, "pronunciation") {
				t.Errorf("pronunciation scored from a transcript: %+v", c)
			}
		}
	}
	w := Offline(Input{Kind: Writing, Text: clean})
	if len(w.Criteria) != 4 {
		t.Errorf("writing has criteria %+v, want no fluency", w.Criteria)
	}
}

func TestFeedbackIsConcrete(t *testing.T) {
	r := Offline(Input{Kind: Writing, Prompt: "Describe your last weekend.", TargetLevel: "B1",
		Text: "Last weekend I have went to the market with my brother and I buyed apples. He don't like apples, so we discussed about it. After that we go to home because it was late and we was tired. i am agree that it was a nice weekend, but more better than the one before."})
	checkValid(t, "errors", Writing, r)
	ga := r.Criteria[3].Feedback
	for _, want := range []string{"“have went” → “have gone”", "“buyed” → “bought”", "“He don't” → “He doesn't”", "“discussed about” → “discussed”"} {
		if !strings.Contains(ga, want) {
			t.Errorf("grammar feedback lacks %s: %q", want, ga)
		}
	}
	if !strings.Contains(r.Feedback, "“have went” → “have gone”") || !strings.Contains(r.Feedback, "B1 target") {
		t.Errorf("summary: %q", r.Feedback)
	}
	if !strings.Contains(ga, "Capitalisation and punctuation") {
		t.Errorf("mechanics not reported: %q", ga)
	}
	if len(r.Mistakes) < 7 {
		t.Errorf("mistakes %+v", r.Mistakes)
	}
	correct := Offline(Input{Kind: Writing, Prompt: "Describe your last weekend.", TargetLevel: "B1",
		Text: "Last weekend I went to the market with my brother and I bought apples. He doesn't like apples, so we discussed it. After that we went home because it was late and we were tired. I agree that it was a nice weekend, and better than the one before."})
	if correct.Criteria[3].Score < r.Criteria[3].Score+20 {
		t.Errorf("grammar: corrected %v, with errors %v", correct.Criteria[3].Score, r.Criteria[3].Score)
	}
	cc := Offline(Input{Kind: Writing, Text: "I like my town. I live there. I go to the park. I see my friends. I eat ice cream. I am happy."}).Criteria[1].Feedback
	if !strings.Contains(cc, "because") || !strings.Contains(cc, "start with “I”") {
		t.Errorf("cohesion feedback should suggest linking words and varied openings: %q", cc)
	}
}

func TestWordTarget(t *testing.T) {
	text := samples[0].b1 // about 110 words
	in := Input{Kind: Writing, Prompt: samples[0].prompt, Text: text}
	fits := Offline(in)
	in.MinWords, in.MaxWords = 200, 250
	short := Offline(in)
	if fits.Criteria[0].Score < short.Criteria[0].Score+15 || !strings.Contains(short.Criteria[0].Feedback, "200–250 words") {
		t.Errorf("task achievement %v within target, %v under it: %q", fits.Criteria[0].Score, short.Criteria[0].Score, short.Criteria[0].Feedback)
	}
	in.MinWords, in.MaxWords = 20, 50
	long := Offline(in)
	if !strings.Contains(long.Criteria[0].Feedback, "keep to the limit") || long.Criteria[0].Score >= fits.Criteria[0].Score {
		t.Errorf("over the limit: %+v", long.Criteria[0])
	}
	for _, c := range []struct {
		in     Input
		lo, hi int
	}{
		{Input{Kind: Writing}, 50, 300},
		{Input{Kind: Speaking}, 40, 300},
		{Input{Kind: Writing, TargetLevel: "b1"}, 80, 150},
		{Input{Kind: Speaking, TargetLevel: "C1"}, 120, 250},
		{Input{Kind: Writing, TargetLevel: "Z9"}, 50, 300},
		{Input{Kind: Writing, MinWords: 100}, 100, 0},
		{Input{Kind: Writing, MinWords: 300, MaxWords: 100}, 100, 300},
	} {
		if lo, hi := wordTarget(c.in); lo != c.lo || hi != c.hi {
			t.Errorf("%+v: target %d-%d, want %d-%d", c.in, lo, hi, c.lo, c.hi)
		}
	}
}

func TestLevelForScore(t *testing.T) {
	for _, c := range []struct {
		score float64
		level string
	}{{0, "A1"}, {34.9, "A1"}, {35, "A2"}, {49, "A2"}, {50, "B1"}, {64, "B1"}, {65, "B2"}, {77, "B2"}, {78, "C1"}, {89, "C1"}, {90, "C2"}, {100, "C2"}} {
		if got := LevelForScore(c.score); got != c.level {
			t.Errorf("%v: %s, want %s", c.score, got, c.level)
		}
	}
}

func TestLemma(t *testing.T) {
	for _, c := range []struct {
		word, lemma string
		band        int
	}{
		{"went", "go", 1}, {"children", "child", 1}, {"studies", "study", 1}, {"happily", "happy", 1},
		{"bigger", "big", 1}, {"stopped", "stop", 1}, {"making", "make", 1}, {"knives", "knife", 2},
		{"don't", "do", 1}, {"it's", "it", 1}, {"neighbours", "neighbour", 2}, {"consequently", "consequently", 3},
		{"mitigating", "mitigate", 4}, {"unprecedented", "unprecedented", 3}, {"zorblax", "zorblax", offList},
	} {
		if l, b := lemma(c.word); l != c.lemma || b != c.band {
			t.Errorf("lemma(%q) = %q band %d, want %q band %d", c.word, l, b, c.lemma, c.band)
		}
	}
}

func TestWordListData(t *testing.T) {
	seen := map[string]int{}
	counts := map[int]int{}
	band := 0
	for n, line := range strings.Split(wordsData, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "@band") {
			fmt.Sscanf(line, "@band %d", &band)
			continue
		}
		for _, w := range strings.Fields(line) {
			if b, dup := seen[w]; dup {
				t.Errorf("line %d: %q listed again (first in band %d)", n+1, w, b)
			}
			seen[w] = band
			counts[band]++
			for _, r := range w {
				if !unicode.IsLower(r) && r != '-' {
					t.Errorf("line %d: %q is not a lower-case word", n+1, w)
					break
				}
			}
		}
	}
	for b, want := range map[int]int{1: 850, 2: 1000, 3: 900, 4: 450} {
		if counts[b] < want {
			t.Errorf("band %d has %d words, want at least %d", b, counts[b], want)
		}
	}
}

// BenchmarkOffline measures the offline evaluation of a 180-word C1 essay against the baseline
// of only tokenising and splitting it into sentences.
func BenchmarkOffline(b *testing.B) {
	in := Input{Kind: Writing, Prompt: samples[2].prompt, Text: samples[2].c1}
	b.Run("baseline-tokenize", func(b *testing.B) {
		for b.Loop() {
			splitSentences(tokenize(normalise(in.Text)))
		}
	})
	b.Run("offline", func(b *testing.B) {
		for b.Loop() {
			Offline(in)
		}
	})
	long := in
	long.Text = strings.Repeat(in.Text+"\n\n", 20) // about 3,600 words
	b.Run("offline-3600-words", func(b *testing.B) {
		for b.Loop() {
			Offline(long)
		}
	})
}

// TestOfflineAnyInput: any text, prompt and target (odd Unicode, stray punctuation, huge
// inputs) gets a valid result, the same one twice.
func TestOfflineAnyInput(t *testing.T) {
	words := strings.Fields(samples[1].b1 + " um uh - ... ,, !? i’m “quoted” café naïve 日本語 🙂 \x00 \xff I have went")
	rapid.Check(t, func(t *rapid.T) {
		ws := rapid.SliceOfN(rapid.SampledFrom(words), 0, 300).Draw(t, "words")
		seps := rapid.SliceOfN(rapid.SampledFrom([]string{" ", "\n", "\n\n", "", "\t", ". "}), len(ws), len(ws)).Draw(t, "seps")
		var b strings.Builder
		for i, w := range ws {
			b.WriteString(w + seps[i])
		}
		in := Input{
			Kind:        rapid.SampledFrom([]Kind{Writing, Speaking, "other"}).Draw(t, "kind"),
			Text:        b.String(),
			Prompt:      rapid.SampledFrom([]string{"", samples[0].prompt, b.String()}).Draw(t, "prompt"),
			TargetLevel: rapid.SampledFrom([]string{"", "A1", "c2", "X"}).Draw(t, "level"),
			MinWords:    rapid.IntRange(-5, 400).Draw(t, "min"),
			MaxWords:    rapid.IntRange(-5, 400).Draw(t, "max"),
		}
		r := Offline(in)
		k := in.Kind
		if k != Speaking {
			k = Writing
		}
		if r.OverallScore < 0 || r.OverallScore > 100 || levelIndex(r.CEFREstimate) < 0 || len(r.Criteria) != len(Criteria(k)) || r.Feedback == "" {
			t.Fatalf("invalid result %+v", r)
		}
		for _, c := range r.Criteria {
			if c.Score < 0 || c.Score > 100 || c.Feedback == "" {
				t.Fatalf("invalid criterion %+v", c)
			}
		}
		if again := Offline(in); !reflect.DeepEqual(again, r) {
			t.Fatalf("not deterministic")
		}
	})
	huge := strings.Repeat(samples[2].c1+" ", 200) // ~200 KB: analysed up to maxChars
	checkValid(t, "huge", Writing, Offline(Input{Kind: Writing, Text: huge, Prompt: huge}))
}
