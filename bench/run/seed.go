package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	mrand "math/rand/v2"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/xentree/xentree-api/internal/chunk"
	"github.com/xentree/xentree-api/internal/progress"
	"github.com/xentree/xentree-api/server"
	"github.com/xentree/xentree-api/store"
)

// Password is every seeded user's password.
const Password = "bench-correct-horse-battery"

// phcHash hashes password once at the server's parameters, in the server's PHC format; every
// seeded user shares the result, so seeding 10k users costs one hash.
func phcHash(password string, p server.ArgonParams) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// Seeded is what the bulk seeding wrote, for the load to address.
type Seeded struct {
	UserIDs []string
	OrgIDs  []string // OrgIDs[k] is administered by user k
}

// seedBulk writes the plan's users, organizations, memberships, XP history and knowledge
// documents straight through the store (multi-row inserts), before the server starts.
func seedBulk(ctx context.Context, st *store.Store, p Plan, text *textGen, logf func(string, ...any)) (*Seeded, error) {
	db := st.DB(ctx)
	now := st.Now()
	hash := phcHash(Password, server.OWASPArgon)
	s := &Seeded{UserIDs: make([]string, p.Users)}
	users := make([]store.User, p.Users)
	for i := range users {
		name := fmt.Sprintf("Bench User %d", i)
		users[i] = store.User{ID: store.NewID(), Username: Username(i), Email: Username(i) + "@example.com", PasswordHash: hash,
			FullName: &name, Role: store.RoleUser, Timezone: "UTC", Language: "en", Plan: "free", CreatedAt: now, UpdatedAt: now}
		s.UserIDs[i] = users[i].ID
	}
	t0 := time.Now()
	if err := db.CreateInBatches(users, 500).Error; err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	logf("seeded %d users in %s", p.Users, time.Since(t0).Round(time.Millisecond))

	t0 = time.Now()
	var members []store.Membership
	for k := range p.Orgs {
		o := &store.Organization{Name: fmt.Sprintf("Bench org %d", k)}
		if err := st.CreateOrganization(ctx, o, s.UserIDs[k]); err != nil {
			return nil, fmt.Errorf("org: %w", err)
		}
		s.OrgIDs = append(s.OrgIDs, o.ID)
		team := &store.Team{OrganizationID: o.ID, Name: "Team A"}
		if err := st.CreateTeam(ctx, team); err != nil {
			return nil, fmt.Errorf("team: %w", err)
		}
		for j, u := range p.OrgMembers(k) {
			m := store.Membership{OrganizationID: o.ID, UserID: s.UserIDs[u], Role: store.OrgMember, JoinedAt: now}
			if j%2 == 0 {
				m.TeamID = &team.ID
			}
			members = append(members, m)
		}
	}
	if err := db.CreateInBatches(members, 500).Error; err != nil {
		return nil, fmt.Errorf("memberships: %w", err)
	}
	logf("seeded %d organizations of %d members in %s", p.Orgs, p.MembersPerOrg+1, time.Since(t0).Round(time.Millisecond))

	t0 = time.Now()
	for i := range p.XPUsers {
		if err := seedHistory(ctx, st, p, s.UserIDs[i]); err != nil {
			return nil, fmt.Errorf("xp history: %w", err)
		}
	}
	logf("seeded %d users × %d XP events (%d days) in %s", p.XPUsers, p.XPEvents(), p.XPDays, time.Since(t0).Round(time.Millisecond))

	t0 = time.Now()
	var docs []*store.KnowledgeDocument
	var chunks [][]store.DocumentChunk
	flush := func() error {
		err := st.CreateKnowledgeDocuments(ctx, docs, chunks)
		docs, chunks = nil, nil
		return err
	}
	for i := range p.Active {
		for j := range p.DocsPerActive {
			d := &store.KnowledgeDocument{OwnerUserID: &s.UserIDs[i], Title: strings.TrimSuffix(text.sentence(4), "."),
				Content: text.document(), ContentType: store.ContentMarkdown}
			if j%2 == 1 {
				d.OrganizationID = &s.OrgIDs[i%p.Orgs]
			}
			cs := chunk.Split(d.Content, chunk.Options{})
			dc := make([]store.DocumentChunk, len(cs))
			for k, c := range cs {
				dc[k] = store.DocumentChunk{Heading: c.Heading, Text: c.Text, Start: c.Start, End: c.End}
			}
			docs, chunks = append(docs, d), append(chunks, dc)
			if len(docs) == 250 {
				if err := flush(); err != nil {
					return nil, fmt.Errorf("documents: %w", err)
				}
			}
		}
	}
	if len(docs) > 0 {
		if err := flush(); err != nil {
			return nil, fmt.Errorf("documents: %w", err)
		}
	}
	logf("seeded %d knowledge documents in %s", p.Active*p.DocsPerActive, time.Since(t0).Round(time.Millisecond))
	if st.Dialect() == store.Postgres {
		if err := db.Exec("ANALYZE").Error; err != nil {
			return nil, err
		}
	}
	return s, nil
}

// seedHistory writes userID's XP history ending yesterday (UTC): the events with running
// totals, then the daily and per-source rollups and the progress row derived from them, as the
// ledger would have left them (the same recipe as server/bench_xp_test.go, in portable SQL).
func seedHistory(ctx context.Context, st *store.Store, p Plan, userID string) error {
	now := st.Now()
	first := progress.Today(now, time.UTC).AddDays(-p.XPDays)
	sources := []string{"chat_session", "live_session", "xel_task", "xel_evaluation"}
	var total int64
	events := make([]store.XPEvent, 0, p.XPEvents())
	for d := range p.XPDays {
		if d%9 == 4 {
			continue
		}
		day := first.AddDays(d)
		for i := range p.XPEventsADay {
			xp := 5 + (i*7+d)%20
			total += int64(xp)
			kind := "segment"
			if i%3 == 0 {
				kind = "quiz"
			}
			var score *float64
			if i%5 == 0 {
				v := 85.0
				score = &v
			}
			at := day.UTCMidnight().Add(6*time.Hour + time.Duration(i)*30*time.Minute)
			events = append(events, store.XPEvent{UserID: userID, IdempotencyKey: fmt.Sprintf("seed:%d:%d", d, i), Source: sources[i%4],
				Kind: kind, BaseXP: xp, MultiplierPct: 100, XP: xp, ActiveSeconds: 60 + i*5, TotalXPAfter: total,
				TaskCompleted: i%2 == 0, Score: score, SessionCompleted: i%10 == 0, OccurredAt: at, LocalDate: day, Timezone: "UTC"})
		}
	}
	// One transaction: on SQLite a commit per batch is most of the time.
	err := st.Tx(ctx, func(tx *store.Store) error {
		for i := 0; i < len(events); i += 500 {
			if err := tx.InsertXPEvents(ctx, events[i:min(i+500, len(events))]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	db := st.DB(ctx)
	for _, q := range []string{
		`INSERT INTO xp_daily (user_id, local_date, xp, xp_segment, xp_quiz, xp_reward, active_seconds, events,
  tasks_completed, high_scores, sessions_completed)
SELECT user_id, local_date, SUM(xp), SUM(CASE WHEN kind = 'segment' THEN xp ELSE 0 END),
  SUM(CASE WHEN kind = 'quiz' THEN xp ELSE 0 END), 0, SUM(active_seconds), COUNT(*),
  SUM(CASE WHEN task_completed THEN 1 ELSE 0 END), SUM(CASE WHEN score >= 80 THEN 1 ELSE 0 END),
  SUM(CASE WHEN session_completed THEN 1 ELSE 0 END)
FROM xp_events WHERE user_id = ? GROUP BY user_id, local_date`,
		`INSERT INTO xp_daily_sources (user_id, local_date, source, xp, active_seconds, events)
SELECT user_id, local_date, source, SUM(xp), SUM(active_seconds), COUNT(*) FROM xp_events WHERE user_id = ?
GROUP BY user_id, local_date, source`,
	} {
		if err := db.Exec(q, userID).Error; err != nil {
			return err
		}
	}
	return st.Tx(ctx, func(tx *store.Store) error {
		pr, _, err := tx.LockXPProgress(ctx, userID)
		if err != nil {
			return err
		}
		days, err := tx.ActiveXPDates(ctx, userID)
		if err != nil {
			return err
		}
		s, covered := progress.Replay(days)
		if err := tx.CoverXPDays(ctx, userID, covered, true); err != nil {
			return err
		}
		last := s.Last
		pr.TotalXP = total
		pr.Tokens = int64(progress.LevelUpTokens(0, pr.TotalXP))
		pr.StreakCurrent, pr.StreakLongest, pr.StreakLast, pr.FreezesHeld, pr.FreezesUsed = s.Current, s.Longest, &last, s.Freezes, s.FreezesUsed
		return tx.SaveXPProgress(ctx, pr)
	})
}

// textGen writes prose-like text: words of a pronounceable vocabulary drawn by a Zipf law, as
// the knowledge benchmark of server/ does.
type textGen struct {
	words []string
	zipf  *mrand.Zipf
	r     *mrand.Rand
}

func newTextGen(seed uint64) *textGen {
	cons, vow := []string{"b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z"}, []string{"a", "e", "i", "o", "u"}
	r := mrand.New(mrand.NewPCG(seed, 2))
	seen := map[string]bool{}
	var words []string
	for len(words) < 5000 {
		var w strings.Builder
		for range 2 + r.IntN(3) {
			w.WriteString(cons[r.IntN(len(cons))] + vow[r.IntN(len(vow))])
		}
		if s := w.String() + cons[r.IntN(len(cons))]; !seen[s] {
			seen[s] = true
			words = append(words, s)
		}
	}
	return &textGen{words: words, zipf: mrand.NewZipf(r, 1.1, 2, uint64(len(words)-1)), r: r}
}

func (t *textGen) sentence(n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = t.words[t.zipf.Uint64()]
	}
	ws[0] = strings.ToUpper(ws[0][:1]) + ws[0][1:]
	return strings.Join(ws, " ") + "."
}

func (t *textGen) document() string {
	var b strings.Builder
	for range 5 {
		fmt.Fprintf(&b, "## %s\n\n", strings.TrimSuffix(t.sentence(3), "."))
		var p strings.Builder
		for p.Len() < 680 {
			p.WriteString(t.sentence(8+int(t.zipf.Uint64()%8)) + " ")
		}
		b.WriteString(strings.TrimSpace(p.String()) + "\n\n")
	}
	return b.String()
}

// queries are typical searches: one to three words of ranks 100 to 3,000.
func (t *textGen) queries(n int) []string {
	out := make([]string, n)
	for i := range out {
		ws := make([]string, 1+i%3)
		for j := range ws {
			ws[j] = t.words[100+t.r.IntN(2900)]
		}
		out[i] = strings.Join(ws, " ")
	}
	return out
}
