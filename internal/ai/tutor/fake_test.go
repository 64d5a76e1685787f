package tutor

import (
	"context"
	"slices"
	"strings"
	"sync"
)

// notes is a fake Retriever over a few study notes written like the shipped ones: it ranks
// passages by how many query words they contain (any word matches), as the server's full-text
// search does.
type notes struct {
	mu       sync.Mutex
	passages []Passage
	queries  []string
	err      error
}

func (n *notes) Retrieve(ctx context.Context, userID, query string, limit int) ([]Passage, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.queries = append(n.queries, query)
	if n.err != nil {
		return nil, n.err
	}
	type hit struct {
		p     Passage
		score int
	}
	var hits []hit
	for _, p := range n.passages {
		text := normalize(p.Title + " " + p.Text)
		score := 0
		for _, w := range strings.Fields(normalize(query)) {
			if has(text, w) {
				score++
			}
		}
		if score > 0 {
			p.Score = float64(score)
			hits = append(hits, hit{p, score})
		}
	}
	slices.SortStableFunc(hits, func(a, b hit) int { return b.score - a.score })
	var out []Passage
	for _, h := range hits[:min(limit, len(hits))] {
		out = append(out, h.p)
	}
	return out, nil
}

func studyNotes() *notes {
	return &notes{passages: []Passage{
		{
			Title:  "Present perfect",
			Source: "notes/grammar/present-perfect.md",
			Text: `# Present perfect

We form the present perfect with **have/has + past participle**. Use it for experiences up to now, for changes that matter now, and for situations that started in the past and continue.
The time is not finished or not stated. With a finished time (yesterday, in 2019, last week) use the past simple instead.

## Examples
- I have visited Rome twice.
- She has lost her keys, so she can't get in.
- We have lived here since 2019.
- Have you ever eaten sushi?

## Since and for
Use *since* with a point in time and *for* with a period: since Monday, for three days.`,
		},
		{
			Title:  "Past simple",
			Source: "notes/grammar/past-simple.md",
			Text: `# Past simple

Use the past simple for finished actions at a finished time in the past. Regular verbs add -ed (worked, played); many common verbs are irregular (went, saw, bought).
Questions and negatives use did + the base form.

- I saw him yesterday.
- Did you go to the party? No, I didn't go.
- She bought a new phone last week.`,
		},
		{
			Title:  "Writing formal emails",
			Source: "notes/writing/formal-emails.md",
			Text: `# Writing formal emails

Open a formal email with "Dear Ms Smith" or "Dear Sir or Madam" when you do not know the name. State the purpose of the email in the first sentence. Close with "Kind regards" or "Yours sincerely".

- I am writing to ask about the position advertised on your website.
- I look forward to hearing from you.`,
		},
	}}
}
