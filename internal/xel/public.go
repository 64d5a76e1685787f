package xel

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/google/uuid"
)

// PublicModule is what a learner may see of a module before submitting: everything but the
// answer key. Its JSON has the field names of XELModuleDetail (without progress, which the
// server adds), plus material.
type PublicModule struct {
	ID               uuid.UUID    `json:"id"`
	Title            string       `json:"title"`
	Description      string       `json:"description"`
	Level            Level        `json:"level"`
	Skill            Skill        `json:"skill"`
	TaskCount        int          `json:"task_count"`
	EstimatedMinutes int          `json:"estimated_minutes"`
	Material         *Material    `json:"material,omitempty"`
	Tasks            []PublicTask `json:"tasks"`
}

// PublicTask is what a learner may see of a task: the fields of XELTask, plus the number of
// blanks of a fill_blank task and the targets of a writing or speaking task. Slugs are left
// out on purpose: a slug can hint at its answer.
type PublicTask struct {
	ID          uuid.UUID `json:"id"`
	Type        TaskType  `json:"type"`
	Prompt      string    `json:"prompt"`
	Options     []string  `json:"options"` // null unless multiple_choice or reorder
	MaxScore    int       `json:"max_score"`
	Blanks      int       `json:"blanks,omitempty"`
	MinWords    int       `json:"min_words,omitempty"`
	MaxWords    int       `json:"max_words,omitempty"`
	TargetLevel Level     `json:"target_level,omitempty"`
}

// Public returns the public view of the task.
func (t *Task) Public() PublicTask {
	return PublicTask{
		ID: t.ID, Type: t.Type, Prompt: t.Prompt, Options: slices.Clone(t.Options), MaxScore: MaxScore,
		Blanks: t.Blanks, MinWords: t.MinWords, MaxWords: t.MaxWords, TargetLevel: t.TargetLevel,
	}
}

// Public returns the public view of the module and its tasks.
func (m *Module) Public() PublicModule {
	p := PublicModule{
		ID: m.ID, Title: m.Title, Description: m.Description, Level: m.Level, Skill: m.Skill,
		TaskCount: len(m.Tasks), EstimatedMinutes: m.EstimatedMinutes, Tasks: make([]PublicTask, len(m.Tasks)),
	}
	if m.Material != nil {
		mat := *m.Material
		p.Material = &mat
	}
	for i, t := range m.Tasks {
		p.Tasks[i] = t.Public()
	}
	return p
}

// MarshalJSON encodes the public view: a Task can be serialised without leaking its answer.
func (t Task) MarshalJSON() ([]byte, error) { return json.Marshal(t.Public()) }

// MarshalJSON encodes the public view of the module.
func (m Module) MarshalJSON() ([]byte, error) { return json.Marshal(m.Public()) }

// String names the task without its answer key (fmt would otherwise print unexported fields).
func (t Task) String() string { return fmt.Sprintf("xel task %s (%s, %s)", t.Slug, t.Type, t.ID) }

// GoString is String, for %#v.
func (t Task) GoString() string { return t.String() }
