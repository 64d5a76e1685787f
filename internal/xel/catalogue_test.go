package xel

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/xentree/xentree-api/content"
)

func shipped(t *testing.T) *Catalogue {
	t.Helper()
	c, err := Builtin()
	if err != nil {
		t.Fatalf("the shipped catalogue does not load:\n%v", err)
	}
	return c
}

// TestCatalogueCounts holds the shipped catalogue to the minimums.
func TestCatalogueCounts(t *testing.T) {
	c := shipped(t)
	mods := c.Modules()
	if len(mods) < 18 {
		t.Errorf("%d modules, want at least 18", len(mods))
	}
	perLevel := map[Level]int{}
	perSkill := map[Skill]int{}
	perType := map[TaskType]int{}
	for _, m := range mods {
		perLevel[m.Level]++
		perSkill[m.Skill]++
		if len(m.Tasks) < MinTasks {
			t.Errorf("%s: %d tasks, want at least %d", m.Slug, len(m.Tasks), MinTasks)
		}
		if m.EstimatedMinutes <= 0 || strings.TrimSpace(m.Description) == "" || strings.TrimSpace(m.Title) == "" {
			t.Errorf("%s: missing title, description or estimated time", m.Slug)
		}
		for _, tk := range m.Tasks {
			perType[tk.Type]++
		}
	}
	for level, min := range map[Level]int{A1: 3, A2: 3, B1: 3, B2: 3, C1: 2} {
		if perLevel[level] < min {
			t.Errorf("%d modules at %s, want at least %d", perLevel[level], level, min)
		}
	}
	for _, s := range Skills {
		if perSkill[s] == 0 {
			t.Errorf("no %s module", s)
		}
	}
	for _, tt := range TaskTypes {
		if perType[tt] == 0 {
			t.Errorf("no %s task", tt)
		}
	}
	t.Logf("%d modules; per level %v; per skill %v; tasks per type %v", len(mods), perLevel, perSkill, perType)
}

// TestEveryTaskIsComplete: explanations everywhere, material where the skill needs it,
// evaluated tasks with a full brief.
func TestEveryTaskIsComplete(t *testing.T) {
	for _, m := range shipped(t).Modules() {
		if (m.Skill == Reading || m.Skill == Listening) && (m.Material == nil || m.Material.Text == "") {
			t.Errorf("%s: a %s module without material", m.Slug, m.Skill)
		}
		for _, tk := range m.Tasks {
			if strings.TrimSpace(tk.Explanation()) == "" || strings.TrimSpace(tk.Prompt) == "" {
				t.Errorf("%s/%s: no prompt or explanation", m.Slug, tk.Slug)
			}
			if b, ok := tk.Brief(); tk.Evaluated() && (!ok || b.MinWords < 1 || b.MaxWords <= b.MinWords || !b.TargetLevel.Valid()) {
				t.Errorf("%s/%s: incomplete brief %+v", m.Slug, tk.Slug, b)
			}
			if !tk.Evaluated() && tk.ExpectedAnswer() == "" {
				t.Errorf("%s/%s: no expected answer", m.Slug, tk.Slug)
			}
		}
	}
}

// accepted lists submissions that must score 100: the answer and every alternative, in
// every form the grader takes.
func acceptedSubmissions(tk *Task) []Submission {
	var subs []Submission
	k := tk.key
	switch tk.Type {
	case MultipleChoice:
		i := slices.Index(tk.Options, k.answer)
		subs = append(subs, Submission{Answer: k.answer}, Submission{Answer: string(rune('A' + i))}, Submission{Answer: strings.ToUpper(k.answer)})
	case ShortAnswer:
		for _, a := range append([]string{k.answer}, k.alternatives...) {
			subs = append(subs, Submission{Answer: a}, Submission{Answer: strings.ToUpper(a) + "!"})
		}
	case FillBlank:
		// Each blank's answer and, one blank at a time, each of its alternatives.
		base := make([]string, len(k.blanks))
		for i, b := range k.blanks {
			base[i] = b.answer
		}
		subs = append(subs, Submission{OrderedItems: base}, Submission{Answer: strings.Join(base, " | ")})
		for i, b := range k.blanks {
			for _, a := range b.alternatives {
				v := slices.Clone(base)
				v[i] = a
				subs = append(subs, Submission{OrderedItems: v}, Submission{Answer: strings.Join(v, "\n")})
			}
		}
	case Reorder:
		for _, order := range k.orders {
			subs = append(subs, Submission{OrderedItems: order}, Submission{Answer: strings.Join(order, " ")}, Submission{Answer: strings.Join(order, " | ")})
		}
	}
	return subs
}

// TestOwnAnswersAccepted: every objective task's answer and every listed alternative gets
// full marks from its own grader, and every wrong option and the shown scramble do not.
func TestOwnAnswersAccepted(t *testing.T) {
	for _, m := range shipped(t).Modules() {
		for _, tk := range m.Tasks {
			if tk.Evaluated() {
				continue
			}
			for _, s := range acceptedSubmissions(tk) {
				r, err := Grade(tk, s)
				if err != nil || !r.Correct || r.Score != MaxScore {
					t.Errorf("%s/%s: %+v graded %v %v %q (err %v)", m.Slug, tk.Slug, s, r.Score, r.Correct, r.Feedback, err)
				}
			}
			switch tk.Type {
			case MultipleChoice:
				for _, o := range tk.Options {
					if r, err := Grade(tk, Submission{Answer: o}); o != tk.key.answer && (err != nil || r.Correct || r.Score != 0) {
						t.Errorf("%s/%s: wrong option %q graded %v %v (err %v)", m.Slug, tk.Slug, o, r.Score, r.Correct, err)
					}
				}
			case Reorder:
				if r, err := Grade(tk, Submission{OrderedItems: tk.Options}); err != nil || r.Correct {
					t.Errorf("%s/%s: the scrambled items as shown graded correct (err %v)", m.Slug, tk.Slug, err)
				}
			}
		}
	}
}

// TestAnswerPositions: shuffled options leave no pattern in where the right answer sits.
func TestAnswerPositions(t *testing.T) {
	pos := map[int]int{}
	n := 0
	for _, m := range shipped(t).Modules() {
		for _, tk := range m.Tasks {
			if tk.Type == MultipleChoice {
				pos[slices.Index(tk.Options, tk.key.answer)]++
				n++
			}
		}
	}
	for p, k := range pos {
		if k*100 > n*40 {
			t.Errorf("%d of %d multiple-choice answers are option %c", k, n, 'A'+p)
		}
	}
}

// TestIDs: ids are the documented UUIDv5s of the slugs, unique, and fixed forever.
func TestIDs(t *testing.T) {
	if got := uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://xentree.com/xel/catalogue")); got != Namespace {
		t.Fatalf("Namespace = %s, want its documented derivation %s", Namespace, got)
	}
	// Golden values: if these change, every learner's progress is orphaned.
	if got := ModuleID("a1-meeting-people"); got.String() != "10eefc15-b697-5d08-98bd-bc6933bbe034" {
		t.Errorf("ModuleID(a1-meeting-people) = %s", got)
	}
	if got := TaskID("a1-meeting-people", "morning-greeting"); got.String() != "cc3263b9-6b3b-5aaa-b8d2-d928c3dfbf7d" {
		t.Errorf("TaskID(a1-meeting-people, morning-greeting) = %s", got)
	}
	if ModuleID("a") == TaskID("a", "") || TaskID("a-b", "c") == TaskID("a", "b-c") {
		t.Error("module and task names collide")
	}
	c := shipped(t)
	seen := map[uuid.UUID]string{}
	slugs := map[string]bool{}
	for _, m := range c.Modules() {
		if m.ID != ModuleID(m.Slug) || m.ID.Version() != 5 {
			t.Errorf("%s: id %s is not ModuleID(slug)", m.Slug, m.ID)
		}
		if slugs[m.Slug] {
			t.Errorf("duplicate module slug %s", m.Slug)
		}
		slugs[m.Slug] = true
		ids := []uuid.UUID{m.ID}
		taskSlugs := map[string]bool{}
		for _, tk := range m.Tasks {
			if tk.ID != TaskID(m.Slug, tk.Slug) || tk.ModuleID != m.ID {
				t.Errorf("%s/%s: id %s is not TaskID(module, task)", m.Slug, tk.Slug, tk.ID)
			}
			if taskSlugs[tk.Slug] {
				t.Errorf("%s: duplicate task slug %s", m.Slug, tk.Slug)
			}
			taskSlugs[tk.Slug] = true
			ids = append(ids, tk.ID)
		}
		for _, id := range ids {
			if o, dup := seen[id]; dup {
				t.Errorf("id %s used by %s and %s", id, o, m.Slug)
			}
			seen[id] = m.Slug
		}
	}
}

// TestLookups: every module and task is reachable by id, and a task is found only in its
// own module.
func TestLookups(t *testing.T) {
	c := shipped(t)
	mods := c.Modules()
	for i, m := range mods {
		if got, ok := c.Module(m.ID); !ok || got != m {
			t.Errorf("Module(%s) misses %s", m.ID, m.Slug)
		}
		if got, ok := c.ModuleBySlug(m.Slug); !ok || got != m {
			t.Errorf("ModuleBySlug(%s) misses", m.Slug)
		}
		other := mods[(i+1)%len(mods)]
		for _, tk := range m.Tasks {
			if gm, gt, err := c.Task(m.ID, tk.ID); err != nil || gm != m || gt != tk {
				t.Errorf("Task(%s, %s): %v", m.Slug, tk.Slug, err)
			}
			if _, _, err := c.Task(other.ID, tk.ID); err != ErrTaskNotInModule {
				t.Errorf("Task(other module, %s/%s) = %v, want ErrTaskNotInModule", m.Slug, tk.Slug, err)
			}
			if gm, gt, ok := c.TaskByID(tk.ID); !ok || gm != m || gt != tk {
				t.Errorf("TaskByID(%s/%s) misses", m.Slug, tk.Slug)
			}
			if got, ok := m.Task(tk.ID); !ok || got != tk {
				t.Errorf("%s.Task(%s) misses", m.Slug, tk.Slug)
			}
		}
	}
	if _, _, err := c.Task(uuid.New(), mods[0].Tasks[0].ID); err != ErrModuleNotFound {
		t.Errorf("unknown module: %v", err)
	}
	if _, _, err := c.Task(mods[0].ID, uuid.New()); err != ErrTaskNotFound {
		t.Errorf("unknown task: %v", err)
	}
	if _, _, ok := c.TaskByID(uuid.New()); ok {
		t.Error("TaskByID found an unknown id")
	}
	total := 0
	for _, l := range Levels {
		for _, s := range Skills {
			for _, m := range c.Filter(l, s) {
				total++
				if m.Level != l || m.Skill != s {
					t.Errorf("Filter(%s, %s) returned %s", l, s, m.Slug)
				}
			}
		}
	}
	if total != len(mods) || len(c.Filter("", "")) != len(mods) || len(c.Filter(B1, "")) == 0 {
		t.Errorf("Filter does not partition the catalogue: %d of %d", total, len(mods))
	}
	for i := 1; i < len(mods); i++ {
		a, b := mods[i-1], mods[i]
		if a.Level.Rank() > b.Level.Rank() || a.Level == b.Level && slices.Index(Skills, a.Skill) > slices.Index(Skills, b.Skill) {
			t.Errorf("Modules out of order: %s before %s", a.Slug, b.Slug)
		}
	}
}

// TestReloadIsIdentical: loading twice yields the same catalogue, down to the answer keys,
// the shuffled options and the fingerprints.
func TestReloadIsIdentical(t *testing.T) {
	a, err := Load(content.XEL)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Load(content.XEL)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two loads of the same files differ")
	}
	for _, m := range a.Modules() {
		if len(m.Fingerprint) != 64 || m.File != m.Slug+".yaml" {
			t.Errorf("%s: fingerprint %q, file %q", m.Slug, m.Fingerprint, m.File)
		}
	}
}

// TestPublicViewLeaksNothing: the JSON a learner sees of a module holds no answer, no
// alternative, no explanation and no model answer, and does not change when the answer key
// does; marshalling a Task or a Module directly gives the public view, and fmt does not print
// the key either.
func TestPublicViewLeaksNothing(t *testing.T) {
	for _, m := range shipped(t).Modules() {
		pub, err := json.Marshal(m.Public())
		if err != nil {
			t.Fatal(err)
		}
		direct, _ := json.Marshal(m)
		if string(direct) != string(pub) {
			t.Errorf("%s: json.Marshal(module) is not the public view", m.Slug)
		}
		js := string(pub)
		for _, key := range []string{`"answer`, `"alternative`, `"explanation`, `"model_answer`, `"blanks":[`, `"slug"`} {
			if strings.Contains(js, key) {
				t.Errorf("%s: public JSON has a field %s", m.Slug, key)
			}
		}
		for _, tk := range m.Tasks {
			tj, _ := json.Marshal(tk.Public())
			if direct, _ := json.Marshal(tk); string(direct) != string(tj) {
				t.Errorf("%s/%s: json.Marshal(task) is not the public view", m.Slug, tk.Slug)
			}
			for _, secret := range secrets(tk) {
				// Explanations and model answers are long: they must appear nowhere. Short
				// answers may legitimately occur inside a prompt or the passage ("is",
				// "four weeks"), so they must not appear as a JSON value of the task.
				if len(secret) > 40 && strings.Contains(js, jsonText(secret)) {
					t.Errorf("%s/%s: public JSON contains %q", m.Slug, tk.Slug, secret)
				}
				if tk.Type != MultipleChoice && tk.Type != Reorder && strings.Contains(string(tj), `"`+jsonText(secret)+`"`) {
					t.Errorf("%s/%s: public task JSON has the value %q", m.Slug, tk.Slug, secret)
				}
			}
			for _, f := range []string{fmt.Sprint(tk), fmt.Sprintf("%v %+v %#v", *tk, *tk, *tk)} {
				if strings.Contains(f, tk.Explanation()) {
					t.Errorf("%s/%s: fmt prints the answer key: %s", m.Slug, tk.Slug, f)
				}
			}
			// Another answer key, same public view.
			other := *tk
			other.key = canaryKey(tk)
			if oj, _ := json.Marshal(other.Public()); string(oj) != string(tj) {
				t.Errorf("%s/%s: the public view depends on the answer key", m.Slug, tk.Slug)
			}
			if tk.Type == Reorder {
				shown := strings.Join(canonItems(tk.Options), "|")
				for _, o := range tk.key.orders {
					if shown == strings.Join(canonItems(o), "|") {
						t.Errorf("%s/%s: items shown in an accepted order", m.Slug, tk.Slug)
					}
				}
			}
		}
	}
}

// secrets lists everything in a task's answer key that is not shown by design (a multiple
// choice answer is one of the options; the items of a reorder task are its options).
func secrets(tk *Task) []string {
	k := tk.key
	out := append([]string{k.explanation, k.modelAnswer}, k.alternatives...)
	if tk.Type != MultipleChoice {
		out = append(out, k.answer)
	}
	for _, b := range k.blanks {
		out = append(out, b.answer)
		out = append(out, b.alternatives...)
	}
	for _, o := range k.orders[min(1, len(k.orders)):] {
		out = append(out, strings.Join(o, " "))
	}
	return slices.DeleteFunc(out, func(s string) bool { return s == "" })
}

// canaryKey is a different answer key of the same shape: for multiple choice another option.
func canaryKey(tk *Task) answerKey {
	k := answerKey{answer: "CANARY-ANSWER", alternatives: []string{"CANARY-ALT"}, explanation: "CANARY-EXPLANATION", modelAnswer: "CANARY-MODEL"}
	if tk.Type == MultipleChoice {
		k.answer = tk.Options[(slices.Index(tk.Options, tk.key.answer)+1)%len(tk.Options)]
	}
	for range tk.key.blanks {
		k.blanks = append(k.blanks, blank{answer: "CANARY-BLANK"})
	}
	if tk.Type == Reorder {
		k.orders = [][]string{slices.Clone(tk.key.orders[0])}
		slices.Reverse(k.orders[0])
	}
	return k
}

// jsonText is s as it appears inside a JSON string.
func jsonText(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// TestConcurrentUse: the catalogue is shared by every request; run with -race.
func TestConcurrentUse(t *testing.T) {
	done := make(chan struct{})
	for range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			c, err := Builtin()
			if err != nil {
				t.Error(err)
				return
			}
			for _, m := range c.Modules() {
				_, _ = json.Marshal(m.Public())
				for _, tk := range m.Tasks {
					for _, s := range acceptedSubmissions(tk) {
						if r, err := Grade(tk, s); err != nil || !r.Correct {
							t.Errorf("%s/%s: %v", m.Slug, tk.Slug, err)
						}
					}
				}
			}
		}()
	}
	for range 8 {
		<-done
	}
}
