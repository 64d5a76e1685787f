package xel

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v4"
)

// The file format. Every field is documented in docs/xel.md; unknown fields are errors.
type fileModule struct {
	Slug             string        `yaml:"slug"`
	Title            string        `yaml:"title"`
	Description      string        `yaml:"description"`
	Level            string        `yaml:"level"`
	Skill            string        `yaml:"skill"`
	EstimatedMinutes int           `yaml:"estimated_minutes"`
	Material         *fileMaterial `yaml:"material"`
	Tasks            []fileTask    `yaml:"tasks"`
}

type fileMaterial struct {
	Kind  string `yaml:"kind"`
	Title string `yaml:"title"`
	Text  string `yaml:"text"`
}

type fileTask struct {
	Slug              string      `yaml:"slug"`
	Type              string      `yaml:"type"`
	Prompt            string      `yaml:"prompt"`
	Options           []string    `yaml:"options"`
	KeepOrder         bool        `yaml:"keep_order"`
	Answer            string      `yaml:"answer"`
	Alternatives      []string    `yaml:"alternatives"`
	Blanks            []fileBlank `yaml:"blanks"`
	Items             []string    `yaml:"items"`
	AlternativeOrders [][]string  `yaml:"alternative_orders"`
	MinWords          int         `yaml:"min_words"`
	MaxWords          int         `yaml:"max_words"`
	TargetLevel       string      `yaml:"target_level"`
	ModelAnswer       string      `yaml:"model_answer"`
	Explanation       string      `yaml:"explanation"`
}

type fileBlank struct {
	Answer       string   `yaml:"answer"`
	Alternatives []string `yaml:"alternatives"`
}

// Limits of the format.
const (
	MinTasks    = 6
	maxTasks    = 50
	maxOptions  = 8
	maxItems    = 20
	maxBlanks   = 10
	maxMinutes  = 180
	maxWordsCap = 2000
)

var (
	slugPattern  = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	blankPattern = regexp.MustCompile(`_{3,}`)
)

// Error is one problem found in a catalogue file. Load joins them (errors.Join), so one run
// reports every problem of every file.
type Error struct {
	File string // the file name, e.g. "a1-meeting-people.yaml"
	Task string // `"slug" (#3)` for a task's problem, else ""
	Msg  string
}

// Error is "file: task \"slug\" (#n): message", or "file: message" for the module.
func (e *Error) Error() string {
	if e.Task == "" {
		return e.File + ": " + e.Msg
	}
	return e.File + ": task " + e.Task + ": " + e.Msg
}

// Load reads every file at the root of fsys (each must be "<module-slug>.yaml"), validates
// each strictly and the whole for unique slugs and ids, and returns the catalogue. Loading
// the same files always yields the same catalogue, ids included.
func Load(fsys fs.FS) (*Catalogue, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("xel: reading the catalogue: %w", err)
	}
	var (
		errs    []error
		modules []*Module
	)
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || path.Ext(name) != ".yaml" {
			errs = append(errs, &Error{File: name, Msg: "not a module file: the catalogue holds only <module-slug>.yaml files"})
			continue
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, &Error{File: name, Msg: err.Error()})
			continue
		}
		m, err := Parse(name, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		modules = append(modules, m)
	}
	if len(modules) == 0 && len(errs) == 0 {
		errs = append(errs, errors.New("xel: the catalogue is empty"))
	}
	c, err := newCatalogue(modules)
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// Parse decodes and validates one module file; name is its file name, which must be the
// module's slug plus ".yaml". The error joins every *Error found.
func Parse(name string, data []byte) (*Module, error) {
	var fm fileModule
	if err := yaml.Load(data, &fm, yaml.WithKnownFields(), yaml.WithUniqueKeys()); err != nil {
		return nil, &Error{File: name, Msg: yamlTypes.Replace(err.Error())}
	}
	v := &validator{file: name}
	m := v.module(fm, strings.TrimSuffix(name, ".yaml"))
	if len(v.errs) > 0 {
		return nil, errors.Join(v.errs...)
	}
	sum := sha256.Sum256(data)
	m.File, m.Fingerprint = name, hex.EncodeToString(sum[:])
	return m, nil
}

// yamlTypes names the format's parts in decoding errors instead of Go types.
var yamlTypes = strings.NewReplacer("type xel.fileModule", "a module", "type xel.fileTask", "a task",
	"type xel.fileBlank", "a blank", "type xel.fileMaterial", "material", "xel.fileModule", "a module",
	"xel.fileTask", "a task", "xel.fileBlank", "a blank", "xel.fileMaterial", "material")

type validator struct {
	file string
	task string
	errs []error
}

func (v *validator) fail(format string, args ...any) {
	v.errs = append(v.errs, &Error{File: v.file, Task: v.task, Msg: fmt.Sprintf(format, args...)})
}

// text checks a required text field and returns it trimmed.
func (v *validator) text(field, s string, maxLen int) string {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		v.fail("%s is required", field)
	case !utf8.ValidString(s) || strings.ContainsRune(s, 0):
		v.fail("%s must be valid UTF-8 text", field)
	case utf8.RuneCountInString(s) > maxLen:
		v.fail("%s is longer than %d characters", field, maxLen)
	}
	return s
}

func (v *validator) module(fm fileModule, fileSlug string) *Module {
	m := &Module{
		Slug:             fm.Slug,
		Title:            v.text("title", fm.Title, 120),
		Description:      v.text("description", fm.Description, 1000),
		Level:            Level(fm.Level),
		Skill:            Skill(fm.Skill),
		EstimatedMinutes: fm.EstimatedMinutes,
	}
	switch {
	case !slugPattern.MatchString(fm.Slug):
		v.fail("slug %q must be lower-case words of letters and digits joined by \"-\"", fm.Slug)
	case fm.Slug != fileSlug:
		v.fail("slug %q must match the file name (%s.yaml)", fm.Slug, fm.Slug)
	}
	if !m.Level.Valid() {
		v.fail("level %q must be one of %v", fm.Level, Levels)
	}
	if !m.Skill.Valid() {
		v.fail("skill %q must be one of %v", fm.Skill, Skills)
	}
	if m.EstimatedMinutes < 1 || m.EstimatedMinutes > maxMinutes {
		v.fail("estimated_minutes must be between 1 and %d", maxMinutes)
	}
	m.ID = ModuleID(m.Slug)
	if fm.Material != nil {
		m.Material = &Material{
			Kind:  MaterialKind(fm.Material.Kind),
			Title: v.text("material.title", fm.Material.Title, 200),
			Text:  v.text("material.text", fm.Material.Text, 20000),
		}
		if m.Material.Kind != Passage && m.Material.Kind != Transcript {
			v.fail("material.kind %q must be %q or %q", fm.Material.Kind, Passage, Transcript)
		}
	}
	switch {
	case m.Skill == Reading && (m.Material == nil || m.Material.Kind != Passage):
		v.fail("a reading module needs material of kind %q", Passage)
	case m.Skill == Listening && (m.Material == nil || m.Material.Kind != Transcript):
		v.fail("a listening module needs material of kind %q (the transcript of the recording)", Transcript)
	}
	if len(fm.Tasks) < MinTasks || len(fm.Tasks) > maxTasks {
		v.fail("a module needs between %d and %d tasks, it has %d", MinTasks, maxTasks, len(fm.Tasks))
	}
	seen := map[string]bool{}
	for i, ft := range fm.Tasks {
		v.task = fmt.Sprintf("%q (#%d)", ft.Slug, i+1)
		switch {
		case !slugPattern.MatchString(ft.Slug):
			v.fail("slug %q must be lower-case words of letters and digits joined by \"-\"", ft.Slug)
		case seen[ft.Slug]:
			v.fail("duplicate task slug %q", ft.Slug)
		}
		seen[ft.Slug] = true
		t := v.taskOf(ft, m)
		t.ID, t.ModuleID, t.Position = TaskID(m.Slug, ft.Slug), m.ID, i
		m.Tasks = append(m.Tasks, t)
	}
	v.task = ""
	return m
}

// only fails for every field set that the task's type does not use.
func (v *validator) only(ft fileTask, allowed ...string) {
	set := map[string]bool{
		"options": len(ft.Options) > 0, "keep_order": ft.KeepOrder, "answer": ft.Answer != "", "alternatives": ft.Alternatives != nil,
		"blanks": ft.Blanks != nil, "items": ft.Items != nil, "alternative_orders": ft.AlternativeOrders != nil,
		"min_words": ft.MinWords != 0, "max_words": ft.MaxWords != 0, "target_level": ft.TargetLevel != "",
		"model_answer": ft.ModelAnswer != "",
	}
	for _, f := range []string{"options", "keep_order", "answer", "alternatives", "blanks", "items", "alternative_orders",
		"min_words", "max_words", "target_level", "model_answer"} {
		if set[f] && !slices.Contains(allowed, f) {
			v.fail("%s is not used by %s tasks", f, ft.Type)
		}
	}
}

// piece checks an option or an item: present, short, with letters or digits.
func (v *validator) piece(field, s string) string {
	s = v.text(field, s, 500)
	if s != "" && Normalize(s) == "" {
		v.fail("%s %q has no letters or digits", field, s)
	}
	return s
}

// answer checks an answer a learner has to type: a piece with one canonical reading.
func (v *validator) answer(field, s string) string {
	s = v.piece(field, s)
	if w := ambiguous(s); w != "" {
		v.fail("%s %q: %q has two readings; write it out (e.g. \"she is\" or \"she has\") so grading is exact", field, s, w)
	}
	return s
}

// alternatives checks a list of alternatives: each a valid answer, none equal (in canonical
// form) to the answer or to another.
func (v *validator) alternatives(field string, answer string, alts []string) []string {
	seen := map[string]bool{Normalize(answer): true}
	out := make([]string, 0, len(alts))
	for _, a := range alts {
		a = v.answer(field, a)
		if a == "" {
			continue
		}
		if seen[Normalize(a)] {
			v.fail("%s %q is already accepted (same as the answer or another alternative after normalisation)", field, a)
		}
		seen[Normalize(a)] = true
		out = append(out, a)
	}
	return out
}

func (v *validator) taskOf(ft fileTask, m *Module) *Task {
	t := &Task{Slug: ft.Slug, Type: TaskType(ft.Type), Prompt: v.text("prompt", ft.Prompt, 4000)}
	t.key.explanation = v.text("explanation", ft.Explanation, 2000)
	switch t.Type {
	case MultipleChoice:
		v.only(ft, "options", "keep_order", "answer")
		v.choice(t, ft, m.Slug)
	case FillBlank:
		v.only(ft, "blanks")
		v.blanks(t, ft)
	case Reorder:
		v.only(ft, "items", "alternative_orders")
		v.reorder(t, ft, m)
	case ShortAnswer:
		v.only(ft, "answer", "alternatives")
		t.key.answer = v.answer("answer", ft.Answer)
		t.key.alternatives = v.alternatives("alternatives", t.key.answer, ft.Alternatives)
	case WritingTask, SpeakingTask:
		v.only(ft, "min_words", "max_words", "target_level", "model_answer")
		v.evaluated(t, ft)
	default:
		v.fail("type %q must be one of %v", ft.Type, TaskTypes)
	}
	return t
}

func (v *validator) choice(t *Task, ft fileTask, moduleSlug string) {
	if len(ft.Options) < 2 || len(ft.Options) > maxOptions {
		v.fail("options: between 2 and %d are needed, there are %d", maxOptions, len(ft.Options))
	}
	seen := map[string]bool{}
	for _, o := range ft.Options {
		o = v.piece("option", o)
		if seen[o] {
			v.fail("option %q is listed twice", o)
		}
		seen[o] = true
		t.Options = append(t.Options, o)
	}
	t.key.answer = strings.TrimSpace(ft.Answer)
	if t.key.answer == "" {
		v.fail("answer is required")
	} else if !slices.Contains(t.Options, t.key.answer) {
		v.fail("answer %q must be one of the options, written exactly the same", t.key.answer)
	}
	// Shown shuffled (the same way on every load) so the right answer's place carries no
	// pattern, unless the options have a natural order (sizes, numbers, true/false).
	if !ft.KeepOrder {
		shuffle(t.Options, seeded(moduleSlug+"/"+ft.Slug))
	}
	for i, o := range t.Options {
		// A bare letter must sit at its own letter's place, so that "B" never means two options.
		if c := Normalize(o); len(c) == 1 && c[0] >= 'a' && int(c[0]-'a') < len(t.Options) && int(c[0]-'a') != i {
			v.fail("option %q would be shown at place %c: a bare letter must be at its own place (use keep_order) or be reworded", o, 'A'+i)
		}
	}
}

func (v *validator) blanks(t *Task, ft fileTask) {
	n := len(blankPattern.FindAllStringIndex(t.Prompt, -1))
	if len(ft.Blanks) == 0 || len(ft.Blanks) > maxBlanks {
		v.fail("blanks: between 1 and %d are needed", maxBlanks)
	}
	if n != len(ft.Blanks) {
		v.fail("the prompt has %d blanks (\"___\") but %d are listed", n, len(ft.Blanks))
	}
	for i, fb := range ft.Blanks {
		field := fmt.Sprintf("blank %d answer", i+1)
		b := blank{answer: v.answer(field, fb.Answer)}
		b.alternatives = v.alternatives(fmt.Sprintf("blank %d alternative", i+1), b.answer, fb.Alternatives)
		if len(ft.Blanks) > 1 {
			for _, a := range append([]string{b.answer}, b.alternatives...) {
				if strings.ContainsAny(a, "|;,\n") {
					v.fail("%s %q: answers of a task with several blanks cannot contain | ; , or a new line (they separate blanks)", field, a)
				}
			}
		}
		t.key.blanks = append(t.key.blanks, b)
	}
	t.Blanks = len(t.key.blanks)
}

func (v *validator) reorder(t *Task, ft fileTask, m *Module) {
	if len(ft.Items) < 3 || len(ft.Items) > maxItems {
		v.fail("items: between 3 and %d are needed, there are %d", maxItems, len(ft.Items))
		return
	}
	items := make([]string, len(ft.Items))
	for i, it := range ft.Items {
		items[i] = v.piece("item", it)
		if strings.ContainsAny(items[i], "|\n") {
			v.fail("item %q cannot contain | or a new line (they separate items)", items[i])
		}
	}
	t.key.orders = [][]string{items}
	seen := map[string]bool{strings.Join(canonItems(items), "|"): true}
	for _, alt := range ft.AlternativeOrders {
		alt = slices.Clone(alt)
		for i := range alt {
			alt[i] = strings.TrimSpace(alt[i])
		}
		key := strings.Join(canonItems(alt), "|")
		switch {
		case !samePieces(canonItems(alt), canonItems(items)):
			v.fail("alternative order %q must use exactly the items", alt)
		case seen[key]:
			v.fail("alternative order %q is listed twice (or is the order of items)", alt)
		}
		seen[key] = true
		t.key.orders = append(t.key.orders, alt)
	}
	t.Options = scramble(items, seen, m.Slug+"/"+ft.Slug)
	if t.Options == nil {
		v.fail("items: every order of them is accepted, so there is nothing to reorder")
	}
}

// scramble returns the items in an order that is not accepted, the same on every load: a
// shuffle seeded by the task, tried again until it is no accepted order.
func scramble(items []string, accepted map[string]bool, seed string) []string {
	out := slices.Clone(items)
	next := seeded(seed)
	for range 1000 {
		shuffle(out, next)
		if !accepted[strings.Join(canonItems(out), "|")] {
			return out
		}
	}
	return nil
}

// shuffle is a Fisher–Yates shuffle driven by next. Written out, with its own generator,
// so that the order shown never changes with the Go release.
func shuffle(s []string, next func() uint64) {
	for i := len(s) - 1; i > 0; i-- {
		j := int(next() % uint64(i+1))
		s[i], s[j] = s[j], s[i]
	}
}

// seeded returns a splitmix64 generator seeded by the FNV-1a hash of seed.
func seeded(seed string) func() uint64 {
	h := fnv.New64a()
	h.Write([]byte(seed))
	x := h.Sum64()
	return func() uint64 {
		x += 0x9e3779b97f4a7c15
		z := x
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		return z ^ (z >> 31)
	}
}

func (v *validator) evaluated(t *Task, ft fileTask) {
	t.MinWords, t.MaxWords, t.TargetLevel = ft.MinWords, ft.MaxWords, Level(ft.TargetLevel)
	if t.MinWords < 1 || t.MaxWords <= t.MinWords || t.MaxWords > maxWordsCap {
		v.fail("min_words and max_words are required, with 1 <= min_words < max_words <= %d", maxWordsCap)
	}
	if !t.TargetLevel.Valid() {
		v.fail("target_level %q must be one of %v", ft.TargetLevel, Levels)
	}
	// The public XELTask has no word-range fields: the prompt itself must tell the learner.
	for _, n := range []int{t.MinWords, t.MaxWords} {
		if n > 0 && !regexp.MustCompile(`\b`+strconv.Itoa(n)+`\b`).MatchString(t.Prompt) {
			v.fail("the prompt must state the word range (%d–%d words)", t.MinWords, t.MaxWords)
			break
		}
	}
	t.key.modelAnswer = strings.TrimSpace(ft.ModelAnswer)
	if n := len(strings.Fields(t.key.modelAnswer)); n > 0 && (n < t.MinWords || n > t.MaxWords) {
		v.fail("model_answer has %d words, outside its own range %d–%d", n, t.MinWords, t.MaxWords)
	}
}
