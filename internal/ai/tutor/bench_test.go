package tutor

import (
	"context"
	"strings"
	"testing"
)

// BenchmarkAnswer measures the tutor's own work per reply (the fake retriever is a few string
// scans), which the offline chat benchmark of the server adds to its overhead.
func BenchmarkAnswer(b *testing.B) {
	tu, err := New(studyNotes())
	if err != nil {
		b.Fatal(err)
	}
	ex, _ := tu.Answer(context.Background(), Question{Message: "Give me an exercise on the present perfect"})
	for _, bc := range []struct {
		name string
		q    Question
	}{
		{"grammar", Question{Language: "de", Message: "Wie benutze ich das Present Perfect?"}},
		{"meaning", Question{Language: "es", Message: "¿Qué significa 'actually'?"}},
		{"check", Question{Message: "have lived\nhas never been\nhave already seen", History: []Turn{{Text: "exercise"}, {Assistant: true, Text: ex}}}},
		{"refusal", Question{Message: "Who won the football world cup in 1954?"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := tu.Answer(context.Background(), bc.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// A message at the API's 32,000-character limit.
func BenchmarkAnswerLong(b *testing.B) {
	tu, err := New(studyNotes())
	if err != nil {
		b.Fatal(err)
	}
	long := strings.Repeat("I think that the weather is nice today and we should go out, ", 600)[:31990] + " why?"
	for b.Loop() {
		if _, err := tu.Answer(context.Background(), Question{Message: long}); err != nil {
			b.Fatal(err)
		}
	}
}
