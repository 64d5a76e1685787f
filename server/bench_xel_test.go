package server_test

import (
	"testing"

	"github.com/xentree/xentree-api/internal/xel"
)

// BenchmarkXEL measures the Xentree English routes through the whole stack, one client, beside
// GET /api/auth/me (authentication, validation and JSON with one indexed read) as the baseline
// of the same run. The reading learner has passed every objective task of the first ten modules.
// "submit first pass" is an objective task's first pass: the task-row lock, the ledger award
// (rollups, quests, event) and the submission, in one transaction; "submit again" a
// resubmission of a passed task (no ledger write).
func BenchmarkXEL(b *testing.B) {
	cat := builtin(b)
	var objective []struct {
		m *xel.Module
		t *xel.Task
	}
	for _, m := range cat.Modules() {
		for _, t := range m.Tasks {
			if !t.Evaluated() {
				objective = append(objective, struct {
					m *xel.Module
					t *xel.Task
				}{m, t})
			}
		}
	}
	for _, kind := range benchKinds() {
		b.Run(kind, func(b *testing.B) {
			h := newHarness(b, kind)
			u := h.newUser("benchxel")
			for _, m := range cat.Modules()[:10] {
				for _, t := range m.Tasks {
					if !t.Evaluated() {
						h.answer(u, m, t, t.ExpectedAnswer())
					}
				}
			}
			m0 := cat.Modules()[0]
			get := func(path string) func(b *testing.B) {
				return func(b *testing.B) {
					for b.Loop() {
						if r := h.raw("GET", path, nil, u.auth()); r.Status != 200 {
							b.Fatalf("%s: %d %s", path, r.Status, r.Body)
						}
					}
				}
			}
			b.Run("baseline GET me", get("/api/auth/me"))
			b.Run("GET modules", get("/api/xel/modules?limit=200"))
			b.Run("GET module", get("/api/xel/modules/"+m0.ID.String()))
			b.Run("GET dashboard", get("/api/xel/dashboard"))
			b.Run("submit again", func(b *testing.B) {
				t := m0.Tasks[0]
				for b.Loop() {
					h.submit(u, m0, t, map[string]any{"answer": t.ExpectedAnswer()}).expect(b, 201)
				}
			})
			b.Run("submit first pass", func(b *testing.B) {
				learner, i := h.newUser("benchpass"), 0
				for b.Loop() {
					if i == len(objective) {
						b.StopTimer()
						learner, i = h.newUser("benchpass"), 0
						b.StartTimer()
					}
					o := objective[i]
					i++
					h.submit(learner, o.m, o.t, map[string]any{"answer": o.t.ExpectedAnswer(), "duration_seconds": 30}).expect(b, 201)
				}
			})
		})
	}
}
