// Package xel is the Xentree English course catalogue and its auto-graders, as pure functions:
// no database, no clock. Load parses and strictly validates the module files shipped in
// content/xel, derives stable UUIDs from their slugs, and returns an immutable Catalogue that
// is safe for concurrent use. Grade scores a submission to an objective task
// (multiple_choice, fill_blank, reorder, short_answer); writing and speaking tasks carry a
// Brief for the evaluator instead. Answers and explanations live in unexported fields, and
// Task and Module marshal to JSON as their public views, so no answer leaks by accident.
//
// The file format, id derivation and grading rules are documented in docs/xel.md.
package xel

import (
	"slices"

	"github.com/google/uuid"
)

// Level is a CEFR level.
type Level string

// The CEFR levels, easiest first.
const (
	A1 Level = "A1"
	A2 Level = "A2"
	B1 Level = "B1"
	B2 Level = "B2"
	C1 Level = "C1"
	C2 Level = "C2"
)

// Levels lists the CEFR levels, easiest first.
var Levels = []Level{A1, A2, B1, B2, C1, C2}

// Valid reports whether l is a CEFR level.
func (l Level) Valid() bool { return slices.Contains(Levels, l) }

// Rank orders levels: A1 is 0, C2 is 5, anything else -1.
func (l Level) Rank() int { return slices.Index(Levels, l) }

// Skill is what a module practises.
type Skill string

// The skills, in the order the catalogue lists them within a level.
const (
	Vocabulary Skill = "vocabulary"
	Grammar    Skill = "grammar"
	Reading    Skill = "reading"
	Listening  Skill = "listening"
	Writing    Skill = "writing"
	Speaking   Skill = "speaking"
)

// Skills lists the skills in catalogue order.
var Skills = []Skill{Vocabulary, Grammar, Reading, Listening, Writing, Speaking}

// Valid reports whether s is a skill.
func (s Skill) Valid() bool { return slices.Contains(Skills, s) }

// TaskType is how a task is answered and graded.
type TaskType string

// The task types. The first four are graded here; writing and speaking are evaluated.
const (
	MultipleChoice TaskType = "multiple_choice"
	FillBlank      TaskType = "fill_blank"
	Reorder        TaskType = "reorder"
	ShortAnswer    TaskType = "short_answer"
	WritingTask    TaskType = "writing"
	SpeakingTask   TaskType = "speaking"
)

// TaskTypes lists every task type.
var TaskTypes = []TaskType{MultipleChoice, FillBlank, Reorder, ShortAnswer, WritingTask, SpeakingTask}

// Valid reports whether t is a task type.
func (t TaskType) Valid() bool { return slices.Contains(TaskTypes, t) }

// Objective reports whether tasks of this type are graded by Grade (rather than evaluated).
func (t TaskType) Objective() bool {
	return t == MultipleChoice || t == FillBlank || t == Reorder || t == ShortAnswer
}

// MaxScore is the score of a fully correct answer; every task is scored 0–MaxScore.
const MaxScore = 100

// MaterialKind says what a module's material is.
type MaterialKind string

// Reading modules carry a passage; listening modules the transcript of a short recording.
const (
	Passage    MaterialKind = "passage"
	Transcript MaterialKind = "transcript"
)

// Material is the text a module's tasks are about: a reading passage or the transcript of a
// recording. It is public: learners need it to answer.
type Material struct {
	Kind  MaterialKind `json:"kind"`
	Title string       `json:"title"`
	Text  string       `json:"text"`
}

// Module is one module of the catalogue. Treat it as read-only: the catalogue shares it
// between goroutines.
type Module struct {
	ID               uuid.UUID
	Slug             string
	Title            string
	Description      string
	Level            Level
	Skill            Skill
	EstimatedMinutes int
	Material         *Material // nil unless the module has one (always for reading and listening)
	Tasks            []*Task   // in the order of the file

	// File is the name of the file the module came from, Fingerprint the hex SHA-256 of its
	// bytes: equal fingerprints mean nothing changed, so an upsert can skip the module.
	File        string
	Fingerprint string
}

// Task finds a task of the module by id.
func (m *Module) Task(id uuid.UUID) (*Task, bool) {
	for _, t := range m.Tasks {
		if t.ID == id {
			return t, true
		}
	}
	return nil, false
}

// TaskBySlug finds a task of the module by slug.
func (m *Module) TaskBySlug(slug string) (*Task, bool) {
	for _, t := range m.Tasks {
		if t.Slug == slug {
			return t, true
		}
	}
	return nil, false
}

// Task is one task of a module. The exported fields are what a learner may see; the answer
// key (answers, alternatives, explanation) is unexported and reached through Grade,
// ExpectedAnswer and Explanation only after a submission.
type Task struct {
	ID       uuid.UUID
	ModuleID uuid.UUID
	Slug     string
	Position int // 0-based place in its module
	Type     TaskType
	Prompt   string
	// Options are the choices of a multiple_choice task (authored order: letters A, B, ...
	// refer to it) or the items of a reorder task, scrambled (never in an accepted order).
	Options []string
	// Blanks is the number of blanks of a fill_blank task (the "___" in its prompt).
	Blanks int
	// MinWords, MaxWords and TargetLevel are the targets of a writing or speaking task.
	MinWords    int
	MaxWords    int
	TargetLevel Level

	key answerKey
}

// answerKey is everything about a task a learner must not see before submitting.
type answerKey struct {
	answer       string     // multiple_choice, short_answer
	alternatives []string   // short_answer
	blanks       []blank    // fill_blank
	orders       [][]string // reorder: the authored order first, then alternative orders
	modelAnswer  string     // writing, speaking (optional)
	explanation  string
}

type blank struct {
	answer       string
	alternatives []string
}

// Evaluated reports whether the task is judged by the evaluator rather than by Grade.
func (t *Task) Evaluated() bool { return !t.Type.Objective() }

// Explanation is the task's explanation: why the answer is right, or for writing and speaking
// what a strong answer does. Show it only after a submission.
func (t *Task) Explanation() string { return t.key.explanation }

// Brief is what the evaluator needs to judge a writing or speaking answer.
type Brief struct {
	Kind        TaskType // WritingTask or SpeakingTask
	Prompt      string
	MinWords    int
	MaxWords    int
	TargetLevel Level
	ModelAnswer string // an example answer at the target level, or ""
}

// Brief returns the evaluation brief of a writing or speaking task; ok is false for objective
// tasks.
func (t *Task) Brief() (b Brief, ok bool) {
	if !t.Evaluated() {
		return Brief{}, false
	}
	return Brief{
		Kind: t.Type, Prompt: t.Prompt, MinWords: t.MinWords, MaxWords: t.MaxWords,
		TargetLevel: t.TargetLevel, ModelAnswer: t.key.modelAnswer,
	}, true
}
