package xel

import (
	"strings"
	"testing"

	"github.com/xentree/xentree-api/content"
)

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load(content.XEL); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGrade(b *testing.B) {
	m, err := Parse("grading-fixture.yaml", []byte(gradingModule))
	if err != nil {
		b.Fatal(err)
	}
	short, _ := m.TaskBySlug("short")
	order, _ := m.TaskBySlug("order")
	blanks, _ := m.TaskBySlug("three-blanks")
	// The baseline: what a naive grader (case-insensitive equality) costs on the same answer.
	b.Run("baseline_equalfold", func(b *testing.B) {
		for b.Loop() {
			_ = strings.EqualFold("We aren't at home.", short.ExpectedAnswer())
		}
	})
	b.Run("short_answer", func(b *testing.B) {
		for b.Loop() {
			_, _ = Grade(short, Submission{Answer: "We aren't at home."})
		}
	})
	b.Run("reorder_sentence", func(b *testing.B) {
		for b.Loop() {
			_, _ = Grade(order, Submission{Answer: "I would have called you if I had your number had"})
		}
	})
	b.Run("short_answer_unicode", func(b *testing.B) {
		for b.Loop() {
			_, _ = Grade(short, Submission{Answer: "We aren’t at home — café."})
		}
	})
	b.Run("fill_blank", func(b *testing.B) {
		for b.Loop() {
			_, _ = Grade(blanks, Submission{Answer: "went | seen | bought"})
		}
	})
}
