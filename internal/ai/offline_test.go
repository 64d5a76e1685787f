package ai

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"unicode"
)

// oneNote retrieves a single study note for any query naming the present perfect, and records
// who asked.
type oneNote struct {
	mu    sync.Mutex
	users []string
}

func (n *oneNote) Retrieve(_ context.Context, userID, query string, limit int) ([]Passage, error) {
	n.mu.Lock()
	n.users = append(n.users, userID)
	n.mu.Unlock()
	if !strings.Contains(query, "present perfect") {
		return nil, nil
	}
	return []Passage{{
		Title:  "Present perfect",
		Source: "notes/grammar/present-perfect.md",
		Text: "# Present perfect\nWe form the present perfect with have/has + past participle. It links a past action to now.\n\n" +
			"- I have visited Rome twice.\n- She has lost her keys.",
	}}, nil
}

func TestOfflineProvider(t *testing.T) {
	notes := &oneNote{}
	r, err := NewRouter(Config{}, notes)
	if err != nil {
		t.Fatal(err)
	}
	auto := provider(t, r, "auto")
	req := tutorRequest() // German learner
	resp, err := auto.Complete(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Provider != OfflineName || resp.Model != OfflineModel || resp.Usage != nil {
		t.Fatalf("%+v", resp)
	}
	for _, want := range []string{"We form the present perfect with have/has + past participle.", "- I have visited Rome twice.", "Quelle: Present perfect (notes/grammar/present-perfect.md)"} {
		if !strings.Contains(resp.Content, want) {
			t.Errorf("answer lacks %q:\n%s", want, resp.Content)
		}
	}
	if len(notes.users) == 0 || notes.users[0] != "user-1" {
		t.Errorf("retrieval ran for %v, want the caller", notes.users)
	}

	var pieces []string
	streamed, err := auto.Stream(context.Background(), req, func(d string) error {
		pieces = append(pieces, d)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(pieces, "") != resp.Content || streamed.Content != resp.Content || len(pieces) < 20 {
		t.Fatalf("%d pieces do not rebuild the answer", len(pieces))
	}
	for _, p := range pieces {
		if w := strings.FieldsFunc(p, unicode.IsSpace); len(w) != 1 {
			t.Fatalf("piece %q is not one word", p)
		}
	}

	stop := errors.New("stop")
	n := 0
	if _, err := auto.Stream(context.Background(), req, func(string) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Fatalf("consumer error: %v after %d pieces", err, n)
	}
}

func TestOfflineHistoryAndJSON(t *testing.T) {
	r, err := NewRouter(Config{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	off := provider(t, r, "offline")
	first, err := off.Complete(context.Background(), Request{Messages: []Message{{Role: RoleUser, Content: "Give me an exercise on the past simple"}}})
	if err != nil || !strings.Contains(first.Content, "___") {
		t.Fatalf("exercise: %v %+v", err, first)
	}
	check, err := off.Complete(context.Background(), Request{Messages: []Message{
		{Role: RoleUser, Content: "Give me an exercise on the past simple"},
		{Role: RoleAssistant, Content: first.Content},
		{Role: RoleUser, Content: "went\nbuyed\ndidn't see"},
	}})
	if err != nil || !strings.Contains(check.Content, "You got 2 of 3 right.") {
		t.Fatalf("check: %v\n%s", err, check.Content)
	}
	if _, err := off.Complete(context.Background(), Request{JSON: true}); !errors.Is(err, ErrNotSupported) {
		t.Fatalf("JSON offline: %v", err)
	}
}

func TestWords(t *testing.T) {
	for _, s := range []string{"", "one", "  lead and trail  ", "Line one.\n\n- two  three\tfour", "Grüße, ça va?"} {
		var got []string
		for w := range words(s) {
			got = append(got, w)
		}
		if strings.Join(got, "") != s {
			t.Errorf("words(%q) = %q", s, got)
		}
	}
}
