package xel

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/google/uuid"

	"github.com/xentree/xentree-api/content"
)

// Catalogue is the loaded, validated catalogue. It is immutable and safe for concurrent use.
type Catalogue struct {
	modules []*Module
	byID    map[uuid.UUID]*Module
	bySlug  map[string]*Module
	tasks   map[uuid.UUID]*Task
}

// Lookup errors of Catalogue.Task.
var (
	ErrModuleNotFound  = errors.New("xel module not found")
	ErrTaskNotFound    = errors.New("xel task not found")
	ErrTaskNotInModule = errors.New("xel task belongs to another module")
)

var builtin = sync.OnceValues(func() (*Catalogue, error) { return Load(content.XEL) })

// Builtin is the catalogue shipped in content/xel, loaded once per process.
func Builtin() (*Catalogue, error) { return builtin() }

func newCatalogue(modules []*Module) (*Catalogue, error) {
	c := &Catalogue{
		byID:   map[uuid.UUID]*Module{},
		bySlug: map[string]*Module{},
		tasks:  map[uuid.UUID]*Task{},
	}
	var errs []error
	for _, m := range modules {
		if o, dup := c.bySlug[m.Slug]; dup {
			errs = append(errs, &Error{File: m.File, Msg: fmt.Sprintf("module slug %q is also used by %s", m.Slug, o.File)})
			continue
		}
		if o, dup := c.byID[m.ID]; dup { // a UUIDv5 collision: never expected
			errs = append(errs, &Error{File: m.File, Msg: fmt.Sprintf("module id %s is also the id of %s", m.ID, o.File)})
			continue
		}
		for _, t := range m.Tasks {
			if o, dup := c.tasks[t.ID]; dup {
				errs = append(errs, &Error{File: m.File, Task: fmt.Sprintf("%q", t.Slug), Msg: fmt.Sprintf("task id %s is also the id of %s", t.ID, o.Slug)})
			}
			c.tasks[t.ID] = t
		}
		c.bySlug[m.Slug], c.byID[m.ID] = m, m
		c.modules = append(c.modules, m)
	}
	slices.SortFunc(c.modules, func(a, b *Module) int {
		return cmp.Or(
			cmp.Compare(a.Level.Rank(), b.Level.Rank()),
			cmp.Compare(slices.Index(Skills, a.Skill), slices.Index(Skills, b.Skill)),
			cmp.Compare(a.Slug, b.Slug))
	})
	return c, errors.Join(errs...)
}

// Modules returns every module, by level, then skill (in the order of Skills), then slug.
func (c *Catalogue) Modules() []*Module { return slices.Clone(c.modules) }

// Filter returns the modules of a level and a skill, in catalogue order; a zero level or
// skill matches all.
func (c *Catalogue) Filter(level Level, skill Skill) []*Module {
	var out []*Module
	for _, m := range c.modules {
		if (level == "" || m.Level == level) && (skill == "" || m.Skill == skill) {
			out = append(out, m)
		}
	}
	return out
}

// Module finds a module by id.
func (c *Catalogue) Module(id uuid.UUID) (*Module, bool) {
	m, ok := c.byID[id]
	return m, ok
}

// ModuleBySlug finds a module by slug.
func (c *Catalogue) ModuleBySlug(slug string) (*Module, bool) {
	m, ok := c.bySlug[slug]
	return m, ok
}

// Task finds a task of a module: ErrModuleNotFound when no module has that id,
// ErrTaskNotFound when no task has that id, ErrTaskNotInModule when it belongs to another.
func (c *Catalogue) Task(moduleID, taskID uuid.UUID) (*Module, *Task, error) {
	m, ok := c.byID[moduleID]
	if !ok {
		return nil, nil, ErrModuleNotFound
	}
	t, ok := c.tasks[taskID]
	switch {
	case !ok:
		return nil, nil, ErrTaskNotFound
	case t.ModuleID != moduleID:
		return nil, nil, ErrTaskNotInModule
	}
	return m, t, nil
}

// TaskByID finds a task anywhere in the catalogue, with its module.
func (c *Catalogue) TaskByID(taskID uuid.UUID) (*Module, *Task, bool) {
	t, ok := c.tasks[taskID]
	if !ok {
		return nil, nil, false
	}
	return c.byID[t.ModuleID], t, true
}
