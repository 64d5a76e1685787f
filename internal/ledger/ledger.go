// Package ledger records XP and learning time for every area of Xentree and answers the
// progress reads. It is the only writer of the XP tables: an append-only event per award
// (unique per user and idempotency key), the user's daily rollups and progress state, all in
// one transaction; quest rewards, boosters, tokens and streaks follow from the rules in
// internal/progress.
//
// # Calling it from another area
//
// Award inside the transaction that makes the learning happen, so both commit or neither:
//
//	err := st.Tx(ctx, func(tx *store.Store) error {
//		// ... the area's own writes and row locks first ...
//		res, err := d.ledger.Award(ctx, tx, userID, ledger.Event{
//			Source:         ledger.SourceXELTask,
//			Kind:           ledger.KindQuiz,
//			BaseXP:         15,
//			ActiveSeconds:  90,
//			OccurredAt:     now,
//			IdempotencyKey: "xel_submission:" + submissionID,
//			TaskCompleted:  true,
//			Score:          &score,
//		})
//		// res.AwardedXP, res.Level, res.QuestsCompleted … go into the area's response.
//		return err
//	})
//
// Pass tx = nil to let Award open a transaction of its own — only when the caller holds none:
// inside a transaction, nil would award in a second one, committed even if the caller's rolls
// back (PostgreSQL), or waiting on the caller's own write lock until busy_timeout (SQLite).
//
//   - IdempotencyKey is the caller's: derive it from what is being rewarded (a submission id,
//     "chat_session:<id>:end"), never from time. Keys are per user. The same key again for the
//     same user awards nothing and returns the original Result with Replayed set (the original
//     amounts, whatever ev says now), also under concurrent calls from several replicas.
//   - Kind: KindQuiz for graded work (XEL tasks and evaluations), KindSegment for lessons,
//     conversations and Live. A session earns progress.SessionXP(its active seconds).
//   - Time without XP is an Event with BaseXP 0 and ActiveSeconds > 0 (e.g. a chat heartbeat
//     keyed "chat_activity:<session>:<n>").
//   - OccurredAt is when the learning happened, in server time (never a time a client sends):
//     it picks the user's local day, that day's quests and whether a booster multiplies. A late
//     event (a session closed by expiry) lands on its own day and may complete that day's quests.
//   - The user's timezone is read inside Award: the event's local date is fixed when written,
//     so a later timezone change keeps the history.
//   - Award locks the user's progress row until the transaction ends (awards of one user are
//     serialized). Take the area's own locks (the user's row included, as Live does) before
//     calling it, never after; award one user per transaction; keep the transaction short.
//   - Errors: ErrInvalidEvent (a programming error of the caller: bad source, kind, amounts,
//     key, or an OccurredAt in the future), ErrNotInTransaction (tx is not a transaction's
//     Store): return them as they are (they answer 500). store.ErrNotFound (no such user: 404),
//     database errors.
package ledger

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xentree/xentree-api/internal/civil"
	"github.com/xentree/xentree-api/internal/progress"
	"github.com/xentree/xentree-api/store"
)

// Source names what produced an event.
type Source string

// The sources. Callers award the learning sources; SourceQuestReward is the ledger's own.
const (
	SourceChatSession   Source = "chat_session"
	SourceLiveSession   Source = "live_session"
	SourceXELTask       Source = "xel_task"
	SourceXELEvaluation Source = "xel_evaluation"
	// SourceQuestReward marks the reward of a completed daily quest (Award refuses it).
	SourceQuestReward Source = "quest_reward"
)

// LearningSources are the sources callers may award, in report order.
var LearningSources = []Source{SourceChatSession, SourceLiveSession, SourceXELTask, SourceXELEvaluation}

// Kind splits XP the way the profile reports today's XP.
type Kind string

// The kinds of XP.
const (
	// KindSegment: learning segments (conversations, module lessons, live sessions).
	KindSegment Kind = "segment"
	// KindQuiz: quizzes and graded tasks.
	KindQuiz Kind = "quiz"
	// kindReward: quest rewards, granted by the ledger.
	kindReward Kind = "reward"
)

// Limits on one event.
const (
	MaxEventXP           = 10_000
	MaxEventSeconds      = 24 * 60 * 60
	MaxIdempotencyKeyLen = 200
	MaxClockSkew         = 5 * time.Minute
	questKeyPrefix       = "quest:"
	rewardMultiplierPct  = 100
)

// Caller errors (bugs in the calling area, never the user's fault).
var (
	// ErrInvalidEvent: the event breaks the rules above.
	ErrInvalidEvent = errors.New("ledger: invalid event")
	// ErrNotInTransaction: tx is a Store outside a transaction (pass the one st.Tx hands you,
	// or nil).
	ErrNotInTransaction = errors.New("ledger: tx is not a transaction")
)

// Event is one award of XP and/or learning time.
type Event struct {
	Source Source
	// Kind defaults to KindSegment.
	Kind Kind
	// BaseXP is the XP before any booster (0..MaxEventXP; 0 records time or facts only).
	BaseXP int
	// ActiveSeconds is learning time recorded with the event (0..MaxEventSeconds).
	ActiveSeconds int
	// OccurredAt places the event on the user's calendar; zero means now. It may lie in the
	// past (a late or retried delivery) but not beyond MaxClockSkew in the future.
	OccurredAt time.Time
	// IdempotencyKey is chosen by the caller, unique per user (1..MaxIdempotencyKeyLen bytes).
	IdempotencyKey string
	// Facts quests count: a task completed, a score in percent (0..100, ≥ 80 is a high
	// score), a chat or live session finished.
	TaskCompleted    bool
	Score            *float64
	SessionCompleted bool
}

// Result is what an award did (or, when Replayed, what the original award did).
type Result struct {
	EventID   string
	Replayed  bool
	LocalDate civil.Date
	// BaseXP as asked, AwardedXP after the booster's Multiplier (1 without one).
	BaseXP     int
	AwardedXP  int
	Multiplier float64
	// TotalXP and Level are the user's after this event and its quest rewards; LevelUp says
	// they reached a new level.
	TotalXP int64
	Level   int
	LevelUp bool
	// TokensEarned counts level-up and quest tokens granted with the event.
	TokensEarned int
	// QuestsCompleted are the daily quests the event completed, each rewarded once.
	QuestsCompleted []QuestReward
	// BoosterEarned is set when the event completed the day's last quest.
	BoosterEarned *progress.Booster
}

// QuestReward is a completed quest and the ledger entry of its reward.
type QuestReward struct {
	Key      string
	RewardXP int
	EventID  string
}

// Ledger awards and reads progress. It holds no state of its own: any number of replicas
// share the database.
type Ledger struct {
	store *store.Store
}

// New returns the ledger over st (whose clock is the ledger's).
func New(st *store.Store) *Ledger { return &Ledger{store: st} }

// Award records ev for userID in tx (nil: a transaction of its own): the event, the day's
// rollups, quest rewards due, a booster when the day's quests are all done, tokens, the
// streak and the user's totals. See the package comment for how areas call it.
func (l *Ledger) Award(ctx context.Context, tx *store.Store, userID string, ev Event) (Result, error) {
	now := l.store.Now()
	if err := ev.check(now); err != nil {
		return Result{}, err
	}
	if tx != nil {
		if !tx.InTx() {
			return Result{}, ErrNotInTransaction
		}
		return l.award(ctx, tx, userID, ev)
	}
	var res Result
	err := l.store.Tx(ctx, func(tx *store.Store) error {
		var err error
		res, err = l.award(ctx, tx, userID, ev)
		return err
	})
	return res, err
}

// check validates ev and fills its defaults.
func (ev *Event) check(now time.Time) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidEvent, fmt.Sprintf(format, args...))
	}
	if ev.Kind == "" {
		ev.Kind = KindSegment
	}
	if ev.OccurredAt.IsZero() {
		ev.OccurredAt = now
	}
	ev.OccurredAt = ev.OccurredAt.UTC().Truncate(time.Microsecond)
	k := ev.IdempotencyKey
	switch {
	case !isLearningSource(ev.Source):
		return bad("source %q", ev.Source)
	case ev.Kind != KindSegment && ev.Kind != KindQuiz:
		return bad("kind %q", ev.Kind)
	case ev.BaseXP < 0 || ev.BaseXP > MaxEventXP:
		return bad("base XP %d out of 0..%d", ev.BaseXP, MaxEventXP)
	case ev.ActiveSeconds < 0 || ev.ActiveSeconds > MaxEventSeconds:
		return bad("active seconds %d out of 0..%d", ev.ActiveSeconds, MaxEventSeconds)
	case ev.Score != nil && !(*ev.Score >= 0 && *ev.Score <= 100):
		return bad("score %v out of 0..100", *ev.Score)
	case k == "" || len(k) > MaxIdempotencyKeyLen || !utf8.ValidString(k) || strings.ContainsRune(k, 0):
		return bad("idempotency key must be 1..%d bytes of UTF-8 text", MaxIdempotencyKeyLen)
	case strings.HasPrefix(k, questKeyPrefix):
		return bad("idempotency keys starting %q are the ledger's", questKeyPrefix)
	case ev.OccurredAt.After(now.Add(MaxClockSkew)):
		return bad("occurred_at %s is in the future", ev.OccurredAt.Format(time.RFC3339))
	case ev.BaseXP == 0 && ev.ActiveSeconds == 0 && !ev.TaskCompleted && !ev.SessionCompleted && ev.Score == nil:
		return bad("the event records nothing")
	}
	return nil
}

func isLearningSource(s Source) bool {
	for _, v := range LearningSources {
		if v == s {
			return true
		}
	}
	return false
}

func (l *Ledger) award(ctx context.Context, tx *store.Store, userID string, ev Event) (Result, error) {
	p, tz, err := tx.LockXPProgress(ctx, userID)
	if err != nil {
		return Result{}, err
	}
	// Under the lock no other award of this user is in flight: a key seen here is a replay. (A
	// statement of its own: its snapshot must be taken after the lock is granted, to see the
	// award that held it.)
	if prev, err := tx.XPEventByKey(ctx, userID, ev.IdempotencyKey); err == nil {
		return replay(ctx, tx, prev)
	} else if !errors.Is(err, store.ErrNotFound) {
		return Result{}, err
	}
	day := civil.Of(ev.OccurredAt, civil.Zone(tz))

	awarded, pct := boosterOf(p).Apply(ev.BaseXP, ev.OccurredAt)
	delta := store.XPDay{UserID: userID, LocalDate: day, XP: int64(awarded), ActiveSeconds: int64(ev.ActiveSeconds),
		Events: 1, TasksCompleted: b2i(ev.TaskCompleted), SessionsCompleted: b2i(ev.SessionCompleted),
		HighScores: b2i(ev.Score != nil && *ev.Score >= progress.HighScore)}
	if ev.Kind == KindQuiz {
		delta.XPQuiz = delta.XP
	} else {
		delta.XPSegment = delta.XP
	}
	after, err := tx.AddXPDay(ctx, delta)
	if err != nil {
		return Result{}, err
	}
	before := totalsOf(after).Minus(totalsOf(delta))

	total := p.TotalXP + int64(awarded)
	main := store.XPEvent{ID: store.NewID(), UserID: userID, IdempotencyKey: ev.IdempotencyKey,
		Source: string(ev.Source), Kind: string(ev.Kind), BaseXP: ev.BaseXP, MultiplierPct: pct, XP: awarded,
		ActiveSeconds: ev.ActiveSeconds, Tokens: progress.LevelUpTokens(p.TotalXP, total), TotalXPAfter: total,
		TaskCompleted: ev.TaskCompleted, Score: ev.Score, SessionCompleted: ev.SessionCompleted,
		OccurredAt: ev.OccurredAt, LocalDate: day, Timezone: tz}
	entries := []store.XPEvent{main}

	// Quests completed by this event are rewarded here, once: the user's awards are serialized
	// by the lock, so exactly one event takes each quest over its target.
	quests := progress.DailyQuests(userID, day)
	dayXP := after.XP
	var rewardXP int64
	for _, q := range progress.Completed(quests, before, totalsOf(after)) {
		prev := total
		total += int64(q.RewardXP)
		rewardXP += int64(q.RewardXP)
		key := q.Key
		entries = append(entries, store.XPEvent{ID: store.NewID(), UserID: userID,
			IdempotencyKey: questKeyPrefix + userID + ":" + day.String() + ":" + q.Key,
			Source:         string(SourceQuestReward), Kind: string(kindReward), BaseXP: q.RewardXP,
			MultiplierPct: rewardMultiplierPct, XP: q.RewardXP,
			Tokens: progress.TokensPerQuest + progress.LevelUpTokens(prev, total), TotalXPAfter: total,
			QuestKey: &key, ParentID: &main.ID, OccurredAt: ev.OccurredAt, LocalDate: day, Timezone: tz})
	}
	if n := int64(len(entries) - 1); n > 0 {
		if _, err := tx.AddXPDay(ctx, store.XPDay{UserID: userID, LocalDate: day, XP: rewardXP, XPReward: rewardXP, Events: n}); err != nil {
			return Result{}, err
		}
		if err := tx.AddXPDaySource(ctx, store.XPDaySource{UserID: userID, LocalDate: day,
			Source: string(SourceQuestReward), XP: rewardXP, Events: n}); err != nil {
			return Result{}, err
		}
		dayXP += rewardXP
		if progress.AllDone(quests, totalsOf(after)) {
			b := progress.EarnBooster(ev.OccurredAt)
			held := boosterOf(p).Replace(b)
			p.BoosterPct, p.BoosterStartsAt, p.BoosterEndsAt = held.Percent, &held.StartsAt, &held.EndsAt
			entries[0].BoosterUntil = &b.EndsAt
		}
	}
	if err := tx.InsertXPEvents(ctx, entries); err != nil {
		if store.IsDuplicate(err) {
			return Result{}, store.ErrConflict
		}
		return Result{}, err
	}
	if err := tx.AddXPDaySource(ctx, store.XPDaySource{UserID: userID, LocalDate: day, Source: string(ev.Source),
		XP: int64(awarded), ActiveSeconds: int64(ev.ActiveSeconds), Events: 1}); err != nil {
		return Result{}, err
	}
	if before.XP == 0 && dayXP > 0 { // the day just became active
		if err := recordStreakDay(ctx, tx, p, day); err != nil {
			return Result{}, err
		}
	}
	for _, e := range entries {
		p.Tokens += int64(e.Tokens)
	}
	p.TotalXP = total
	if err := tx.SaveXPProgress(ctx, p); err != nil {
		return Result{}, err
	}
	return resultOf(entries[0], entries[1:]), nil
}

// recordStreakDay folds a newly active day into p's streak: in order it is one step; a day
// before the last active one (a late event, or a move west across the date line) replays the
// whole history from the rollups.
func recordStreakDay(ctx context.Context, tx *store.Store, p *store.XPProgress, day civil.Date) error {
	s := streakOf(p)
	var covered []civil.Date
	reset := false
	if !s.Started() || day > s.Last {
		s, covered = s.Record(day)
	} else {
		days, err := tx.ActiveXPDates(ctx, p.UserID)
		if err != nil {
			return err
		}
		s, covered = progress.Replay(days)
		reset = true
	}
	if len(covered) > 0 || reset {
		if err := tx.CoverXPDays(ctx, p.UserID, covered, reset); err != nil {
			return err
		}
	}
	last := s.Last
	p.StreakCurrent, p.StreakLongest, p.StreakLast = s.Current, s.Longest, &last
	p.FreezesHeld, p.FreezesUsed = s.Freezes, s.FreezesUsed
	return nil
}

// replay rebuilds the Result of an award already made.
func replay(ctx context.Context, tx *store.Store, prev *store.XPEvent) (Result, error) {
	rewards, err := tx.XPEventsByParent(ctx, prev.ID)
	if err != nil {
		return Result{}, err
	}
	res := resultOf(*prev, rewards)
	res.Replayed = true
	return res, nil
}

// resultOf describes an award from its ledger entries: the event and its quest rewards.
func resultOf(main store.XPEvent, rewards []store.XPEvent) Result {
	last := main
	if len(rewards) > 0 {
		last = rewards[len(rewards)-1]
	}
	res := Result{EventID: main.ID, LocalDate: main.LocalDate, BaseXP: main.BaseXP, AwardedXP: main.XP,
		Multiplier: float64(main.MultiplierPct) / 100, TotalXP: last.TotalXPAfter}
	res.Level = progress.LevelOf(res.TotalXP).Level
	res.LevelUp = res.Level > progress.LevelOf(main.TotalXPAfter-int64(main.XP)).Level
	for _, r := range rewards {
		res.TokensEarned += r.Tokens
		key := ""
		if r.QuestKey != nil {
			key = *r.QuestKey
		}
		res.QuestsCompleted = append(res.QuestsCompleted, QuestReward{Key: key, RewardXP: r.XP, EventID: r.ID})
	}
	res.TokensEarned += main.Tokens
	if main.BoosterUntil != nil {
		res.BoosterEarned = &progress.Booster{Percent: progress.BoosterPercent, StartsAt: main.OccurredAt, EndsAt: main.BoosterUntil.UTC()}
	}
	return res
}

func totalsOf(d store.XPDay) progress.DayTotals {
	return progress.DayTotals{XP: d.XP, XPSegment: d.XPSegment, XPQuiz: d.XPQuiz, XPReward: d.XPReward,
		ActiveSeconds: d.ActiveSeconds, Events: d.Events, TasksCompleted: d.TasksCompleted,
		HighScores: d.HighScores, SessionsCompleted: d.SessionsCompleted}
}

func streakOf(p *store.XPProgress) progress.Streak {
	s := progress.Streak{Current: p.StreakCurrent, Longest: p.StreakLongest, Freezes: p.FreezesHeld, FreezesUsed: p.FreezesUsed}
	if p.StreakLast != nil {
		s.Last = *p.StreakLast
	}
	return s
}

func boosterOf(p *store.XPProgress) progress.Booster {
	if p.BoosterPct == 0 || p.BoosterStartsAt == nil || p.BoosterEndsAt == nil {
		return progress.Booster{}
	}
	return progress.Booster{Percent: p.BoosterPct, StartsAt: *p.BoosterStartsAt, EndsAt: *p.BoosterEndsAt}
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
