package server_test

// Tests of the progress engine through the real stack: the ledger is fed through its Go API
// (h.award), as the other areas will call it, and read through the seven /api/xp routes.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	openapi_types "github.com/oapi-codegen/runtime/types"

	api "github.com/xentree/xentree-api/gen"
	"github.com/xentree/xentree-api/internal/civil"
	"github.com/xentree/xentree-api/internal/ledger"
	"github.com/xentree/xentree-api/internal/progress"
	"github.com/xentree/xentree-api/server"
	"github.com/xentree/xentree-api/store"
)

// manyLogins lifts the login throttle: these tests log in again after every clock jump.
func manyLogins(c *server.Config) { c.LoginIPLimit, c.LoginAccountLimit = 1<<30, 1<<30 }

var awardSeq atomic.Int64

// award feeds the ledger through its Go API, as other areas do (a transaction of its own). An
// empty idempotency key gets a fresh one; the source defaults to xel_task.
func (h *harness) award(u *user, ev ledger.Event) ledger.Result {
	h.t.Helper()
	if ev.IdempotencyKey == "" {
		ev.IdempotencyKey = fmt.Sprintf("test:%d", awardSeq.Add(1))
	}
	if ev.Source == "" {
		ev.Source = ledger.SourceXELTask
	}
	res, err := ledger.New(h.store).Award(h.t.Context(), nil, u.ID, ev)
	if err != nil {
		h.t.Fatalf("award %+v: %v", ev, err)
	}
	return res
}

// xp is one event of base XP at the clock's now.
func (h *harness) xp(u *user, base int) ledger.Result {
	h.t.Helper()
	return h.award(u, ledger.Event{BaseXP: base})
}

// at freezes the clock at t (tokens and sessions follow it: log in again before reading).
func (h *harness) at(t time.Time) { h.clock.Freeze(t) }

// get logs u in again at the clock's now and GETs path, decoding a 200 into v.
func (h *harness) get(u *user, path string, v any) {
	h.t.Helper()
	u.Access = h.login(u.Username, u.Password).AccessToken
	h.raw("GET", path, nil, u.auth()).expect(h.t, 200).decode(h.t, v)
}

func (h *harness) setMe(u *user, changes map[string]any) {
	h.t.Helper()
	u.Access = h.login(u.Username, u.Password).AccessToken
	h.raw("PATCH", "/api/auth/me", changes, u.auth()).expect(h.t, 200)
}

func (h *harness) streak(u *user) api.StreakStatusResponse {
	h.t.Helper()
	var s api.StreakStatusResponse
	h.get(u, "/api/xp/streak-status", &s)
	return s
}

// completeQuests sends three events that complete any draw of quests (every metric reached).
func (h *harness) completeQuests(u *user) []ledger.Result {
	h.t.Helper()
	score := 95.0
	return []ledger.Result{
		h.award(u, ledger.Event{BaseXP: 200, ActiveSeconds: 1800, TaskCompleted: true, Score: &score, SessionCompleted: true}),
		h.award(u, ledger.Event{Kind: ledger.KindQuiz, BaseXP: 200, TaskCompleted: true, Score: &score}),
		h.award(u, ledger.Event{BaseXP: 1, TaskCompleted: true}),
	}
}

func noon(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }

func day(s string) civil.Date {
	d, err := civil.Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

func ds(d openapi_types.Date) string { return d.Format(civil.Layout) }

// TestXPTimezones: local days come from each user's zone; a DST week has 7 days; a timezone
// change keeps the days already recorded.
func TestXPTimezones(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		kiwi, angeleno := h.newUser("kiwi"), h.newUser("angeleno")
		h.setMe(kiwi, map[string]any{"timezone": "Pacific/Auckland"})
		h.setMe(angeleno, map[string]any{"timezone": "America/Los_Angeles"})

		instant := time.Date(2026, 11, 27, 20, 0, 0, 0, time.UTC) // Sat 09:00 in Auckland, Fri 12:00 in LA
		h.at(instant)
		if r := h.xp(kiwi, 10); r.LocalDate != day("2026-11-28") {
			t.Errorf("Auckland day %s", r.LocalDate)
		}
		if r := h.xp(angeleno, 10); r.LocalDate != day("2026-11-27") {
			t.Errorf("Los Angeles day %s", r.LocalDate)
		}
		for _, c := range []struct {
			u            *user
			start, today string
		}{{kiwi, "2025-11-29", "2026-11-28"}, {angeleno, "2025-11-28", "2026-11-27"}} {
			var p api.LearningPulseResponse
			h.get(c.u, "/api/xp/learning-pulse", &p)
			last := p.Days[len(p.Days)-1]
			if len(p.Days) != 365 || ds(p.StartDate) != c.start || ds(p.EndDate) != c.today || ds(p.Days[0].Date) != c.start ||
				ds(last.Date) != c.today || last.Xp < 10 || p.ActiveDays != 1 || last.Intensity != 4 {
				t.Errorf("%s: pulse %s..%s ends with %+v (active %d)", c.u.Username, p.StartDate, p.EndDate, last, p.ActiveDays)
			}
		}

		// A timezone change keeps history: the Auckland Saturday stays a Saturday.
		h.setMe(kiwi, map[string]any{"timezone": "America/Los_Angeles"})
		h.at(instant.Add(time.Hour))
		if r := h.xp(kiwi, 5); r.LocalDate != day("2026-11-27") {
			t.Errorf("after the move: day %s", r.LocalDate)
		}
		var w api.WeeklyActivityResponse
		h.get(kiwi, "/api/xp/weekly-activity", &w)
		byDate := map[string]int{}
		for _, d := range w.Days {
			byDate[ds(d.Date)] = d.Xp
		}
		if w.Timezone != "America/Los_Angeles" || byDate["2026-11-28"] < 10 || byDate["2026-11-27"] < 5 {
			t.Errorf("week after the move: %+v", w)
		}
		if s := h.streak(kiwi); s.CurrentStreak != 2 || s.StreakAtRisk || ds(s.LastActivity.MustGet()) != "2026-11-28" {
			t.Errorf("streak after the move: %+v", s)
		}

		// The week of the fall-back change (Sun 1 Nov 2026 lasts 25 hours in Los Angeles).
		h.at(time.Date(2026, 11, 1, 7, 30, 0, 0, time.UTC)) // 00:30 PDT, Sunday
		h.xp(angeleno, 1)
		h.at(time.Date(2026, 11, 2, 7, 30, 0, 0, time.UTC)) // 23:30 PST, still Sunday
		h.xp(angeleno, 2)
		h.at(time.Date(2026, 11, 2, 8, 30, 0, 0, time.UTC)) // 00:30 PST, Monday: 24 h after the first
		h.xp(angeleno, 4)
		h.at(time.Date(2026, 11, 4, 20, 0, 0, 0, time.UTC))
		h.get(angeleno, "/api/xp/weekly-activity", &w)
		var got []string
		for _, d := range w.Days {
			got = append(got, fmt.Sprintf("%s:%t", ds(d.Date), d.Xp > 0))
		}
		want := []string{"2026-11-01:true", "2026-11-02:true", "2026-11-03:false", "2026-11-04:false", "2026-11-05:false", "2026-11-06:false", "2026-11-07:false"}
		if ds(w.WeekStart) != "2026-11-01" || ds(w.WeekEnd) != "2026-11-07" || !slices.Equal(got, want) {
			t.Errorf("DST week %s..%s: %v", w.WeekStart, w.WeekEnd, got)
		}
		// Learning XP (quest rewards aside) landed on the right days.
		for d, xp := range map[string]int64{"2026-11-01": 3, "2026-11-02": 4} {
			if r, _ := h.store.XPDayOf(t.Context(), angeleno.ID, day(d)); r.XPSegment != xp {
				t.Errorf("%s: %d segment XP, want %d", d, r.XPSegment, xp)
			}
		}
		// Spring forward: Sun 8 Mar 2026 lasts 23 hours.
		h.at(time.Date(2026, 3, 9, 6, 30, 0, 0, time.UTC)) // 23:30 PDT, still Sunday 8 March
		if r := h.xp(angeleno, 1); r.LocalDate != day("2026-03-08") {
			t.Errorf("spring-forward day %s", r.LocalDate)
		}
		h.get(angeleno, "/api/xp/weekly-activity", &w)
		if len(w.Days) != 7 || ds(w.WeekStart) != "2026-03-08" || w.Days[0].Xp < 1 || w.Days[1].Xp != 0 {
			t.Errorf("spring week: %+v", w)
		}
	}, manyLogins)
}

// TestStreaks: continue, break, freezes earned, consumed on one missed day, not on two with
// one freeze, at risk before today's first XP, longest kept, at most 2 freezes.
func TestStreaks(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("streaker")
		start := noon(2026, 11, 1)
		dayN := func(n int) time.Time { return start.AddDate(0, 0, n) }
		h.at(dayN(0))
		if s := h.streak(u); s.CurrentStreak != 0 || s.StreakAtRisk || !s.LastActivity.IsNull() || s.FreezesAvailable != 0 {
			t.Fatalf("fresh: %+v", s)
		}
		for n := 0; n < 7; n++ {
			h.at(dayN(n))
			h.xp(u, 5)
			h.award(u, ledger.Event{ActiveSeconds: 60}) // time only: no effect on the streak
		}
		if s := h.streak(u); s.CurrentStreak != 7 || s.LongestStreak != 7 || s.FreezesAvailable != 1 || s.StreakAtRisk {
			t.Errorf("after 7 days: %+v", s)
		}
		h.at(dayN(7))
		if s := h.streak(u); !s.StreakAtRisk || s.CurrentStreak != 7 {
			t.Errorf("day 8 before XP: %+v", s)
		}
		h.award(u, ledger.Event{ActiveSeconds: 300})
		if s := h.streak(u); !s.StreakAtRisk {
			t.Errorf("time without XP took the risk away: %+v", s)
		}
		h.xp(u, 5)
		if s := h.streak(u); s.StreakAtRisk || s.CurrentStreak != 8 {
			t.Errorf("day 8 after XP: %+v", s)
		}
		// Miss day 9 (Mon 9 Nov); on day 10 the freeze holds the streak, pending.
		h.at(dayN(9))
		s := h.streak(u)
		if s.CurrentStreak != 8 || !s.StreakAtRisk || s.FreezesAvailable != 0 || s.FreezesUsed != 1 {
			t.Errorf("one missed day: %+v", s)
		}
		var w api.WeeklyActivityResponse
		h.get(u, "/api/xp/weekly-activity", &w)
		if len(w.FreezeCoveredDates) != 1 || ds(w.FreezeCoveredDates[0]) != "2026-11-09" || !w.Days[1].FreezeCovered || w.Days[0].FreezeCovered {
			t.Errorf("week with a covered day: %+v", w)
		}
		h.xp(u, 5)
		if s := h.streak(u); s.CurrentStreak != 9 || s.FreezesAvailable != 0 || s.FreezesUsed != 1 || s.StreakAtRisk {
			t.Errorf("freeze consumed: %+v", s)
		}
		h.get(u, "/api/xp/weekly-activity", &w)
		if len(w.FreezeCoveredDates) != 1 || ds(w.FreezeCoveredDates[0]) != "2026-11-09" {
			t.Errorf("covered date not remembered: %+v", w.FreezeCoveredDates)
		}
		// Miss two days with no freeze: broken; longest kept.
		h.at(dayN(13))
		if s := h.streak(u); s.CurrentStreak != 0 || s.LongestStreak != 9 || s.StreakAtRisk {
			t.Errorf("broken: %+v", s)
		}
		h.xp(u, 5)
		if s := h.streak(u); s.CurrentStreak != 1 || s.LongestStreak != 9 {
			t.Errorf("restart: %+v", s)
		}

		// Two missed days with one freeze: not consumed, streak broken.
		v := h.newUser("saver")
		for n := 0; n < 7; n++ {
			h.at(dayN(n))
			h.xp(v, 5)
		}
		h.at(dayN(9))
		if s := h.streak(v); s.CurrentStreak != 0 || s.FreezesAvailable != 1 || s.FreezesUsed != 0 {
			t.Errorf("two missed days shown: %+v", s)
		}
		h.xp(v, 5)
		if s := h.streak(v); s.CurrentStreak != 1 || s.FreezesAvailable != 1 || s.FreezesUsed != 0 || s.LongestStreak != 7 {
			t.Errorf("two missed days with one freeze: %+v", s)
		}
		h.get(v, "/api/xp/weekly-activity", &w)
		if len(w.FreezeCoveredDates) != 0 {
			t.Errorf("covered dates %v", w.FreezeCoveredDates)
		}

		// Freezes are capped at 2 (days 7, 14 and 21 of a streak each earn one).
		c := h.newUser("capped")
		for n := 0; n < 22; n++ {
			h.at(dayN(n))
			h.xp(c, 5)
		}
		if s := h.streak(c); s.CurrentStreak != 22 || s.FreezesAvailable != 2 {
			t.Errorf("cap: %+v", s)
		}
		var prof api.XPProfileResponse
		h.get(c, "/api/xp/profile", &prof)
		if prof.CurrentStreak != 22 || prof.LongestStreak != 22 {
			t.Errorf("profile streaks %+v", prof)
		}
	}, manyLogins)
}

// TestDailyQuests: the same three per user and day, varied across users, progress from the
// day's events only, rewards granted once, and completing all three earns the booster.
func TestDailyQuests(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.at(noon(2026, 11, 27))
		u := h.newUser("quester")
		var q1, q2 api.QuestsResponse
		h.get(u, "/api/xp/daily-quests", &q1)
		h.get(u, "/api/xp/daily-quests", &q2)
		keys := func(q api.QuestsResponse) []string {
			var k []string
			for _, x := range q.Quests {
				k = append(k, x.Key+"/"+x.Id.String())
			}
			return k
		}
		if len(q1.Quests) != 3 || !slices.Equal(keys(q1), keys(q2)) || ds(q1.Date) != "2026-11-27" || q1.AllCompleted {
			t.Fatalf("quests %+v vs %+v", q1, q2)
		}
		// 50 users: the draw varies.
		l := ledger.New(h.store)
		sets := map[string]bool{}
		for i := range 50 {
			su := &store.User{Username: fmt.Sprintf("qs_%d_%d", i, awardSeq.Add(1)), Email: fmt.Sprintf("qs%d_%d@example.com", i, awardSeq.Add(1)), PasswordHash: "x"}
			if err := h.store.CreateUser(t.Context(), su); err != nil {
				t.Fatal(err)
			}
			dq, err := l.Quests(t.Context(), su.ID, time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			var k []string
			for _, q := range dq.Quests {
				k = append(k, q.Key)
			}
			sets[strings.Join(k, ",")] = true
		}
		if len(sets) < 2 {
			t.Errorf("50 users share one set of quests")
		}

		results := h.completeQuests(u)
		var rewarded []string
		var rewardXP int
		for _, r := range results {
			for _, q := range r.QuestsCompleted {
				rewarded = append(rewarded, q.Key)
				rewardXP += q.RewardXP
			}
		}
		slices.Sort(rewarded)
		var q3 api.QuestsResponse
		h.get(u, "/api/xp/daily-quests", &q3)
		var want []string
		for _, q := range q3.Quests {
			want = append(want, q.Key)
			if !q.Completed || q.Progress != q.Target || q.RewardTokens != 1 {
				t.Errorf("quest not complete: %+v", q)
			}
		}
		slices.Sort(want)
		if !q3.AllCompleted || !slices.Equal(rewarded, want) {
			t.Errorf("rewarded %v, quests %v", rewarded, want)
		}
		if results[len(results)-1].BoosterEarned == nil && results[1].BoosterEarned == nil && results[0].BoosterEarned == nil {
			t.Error("no booster for completing all three")
		}
		var prof api.XPProfileResponse
		h.get(u, "/api/xp/profile", &prof)
		if prof.Today.Rewards != rewardXP || prof.Today.Total != prof.Today.Segments+prof.Today.Quizzes+prof.Today.Rewards {
			t.Errorf("today %+v, rewards %d", prof.Today, rewardXP)
		}
		// More activity the same day grants nothing more.
		for _, r := range h.completeQuests(u) {
			if len(r.QuestsCompleted) > 0 || r.BoosterEarned != nil {
				t.Errorf("second round rewarded %+v", r)
			}
		}
		if n := h.countRows("xp_events", "user_id = ? AND kind = 'reward'", u.ID); n != 3 {
			t.Errorf("%d reward events", n)
		}
		// The next local day starts from zero.
		h.at(noon(2026, 11, 28))
		var next api.QuestsResponse
		h.get(u, "/api/xp/daily-quests", &next)
		if ds(next.Date) != "2026-11-28" || next.AllCompleted {
			t.Errorf("next day %+v", next)
		}
		for _, q := range next.Quests {
			if q.Progress != 0 || q.Completed {
				t.Errorf("progress carried over: %+v", q)
			}
		}
	}, manyLogins)
}

// TestQuestRewardOnceConcurrently: 20 concurrent events that each could complete the day's
// quests (two replicas) grant each reward and the booster exactly once.
func TestQuestRewardOnceConcurrently(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.at(noon(2026, 11, 27))
		u := h.newUser("racer")
		ledgers := []*ledger.Ledger{ledger.New(h.store), ledger.New(h.replica().store)}
		var wg sync.WaitGroup
		var boosters atomic.Int64
		errs := make(chan error, 20)
		score := 90.0
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				kind := ledger.KindSegment
				if i%2 == 1 {
					kind = ledger.KindQuiz
				}
				r, err := ledgers[i%2].Award(context.Background(), nil, u.ID, ledger.Event{Source: ledger.SourceChatSession, Kind: kind,
					BaseXP: 10, ActiveSeconds: 120, TaskCompleted: true, Score: &score, SessionCompleted: true,
					IdempotencyKey: fmt.Sprintf("race:%d", i)})
				if r.BoosterEarned != nil {
					boosters.Add(1)
				}
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		rewards := h.countRows("xp_events", "user_id = ? AND kind = 'reward'", u.ID)
		var distinct int64
		h.store.DB(t.Context()).Raw("SELECT COUNT(DISTINCT quest_key) FROM xp_events WHERE kind = 'reward' AND user_id = ?", u.ID).Scan(&distinct)
		if rewards != 3 || distinct != 3 || boosters.Load() != 1 {
			t.Errorf("%d rewards (%d distinct), %d boosters", rewards, distinct, boosters.Load())
		}
		var prof api.XPProfileResponse
		h.get(u, "/api/xp/profile", &prof)
		var sum int64
		h.store.DB(t.Context()).Raw("SELECT COALESCE(SUM(xp), 0) FROM xp_events WHERE user_id = ?", u.ID).Scan(&sum)
		if int64(prof.TotalXp) != sum || prof.Today.Total != int(sum) || prof.TokenBalance < 3 {
			t.Errorf("profile %+v vs ledger sum %d", prof, sum)
		}
	}, manyLogins)
}

// TestLedgerIdempotency: a key awards once, sequentially and from 20 goroutines at once; a
// rolled-back caller transaction leaves nothing; invalid events are refused.
func TestLedgerIdempotency(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.at(noon(2026, 11, 27))
		u := h.newUser("idem")
		first := h.award(u, ledger.Event{BaseXP: 30, IdempotencyKey: "sub:1"})
		again := h.award(u, ledger.Event{BaseXP: 999, IdempotencyKey: "sub:1"})
		if first.Replayed || !again.Replayed || again.EventID != first.EventID || again.AwardedXP != 30 ||
			again.TotalXP != first.TotalXP || len(again.QuestsCompleted) != len(first.QuestsCompleted) {
			t.Errorf("replay %+v of %+v", again, first)
		}

		l := ledger.New(h.store)
		var wg sync.WaitGroup
		results := make([]ledger.Result, 20)
		errs := make([]error, 20)
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = l.Award(context.Background(), nil, u.ID, ledger.Event{Source: ledger.SourceLiveSession, BaseXP: 7, IdempotencyKey: "live:end:42"})
			}()
		}
		wg.Wait()
		fresh := 0
		for i, r := range results {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			if !r.Replayed {
				fresh++
			}
			if r.EventID != results[0].EventID {
				t.Errorf("different events for one key")
			}
		}
		if n := h.countRows("xp_events", "user_id = ? AND idempotency_key = ?", u.ID, "live:end:42"); fresh != 1 || n != 1 {
			t.Errorf("%d fresh awards, %d rows", fresh, n)
		}

		// Inside a caller's transaction that rolls back, nothing is recorded.
		other := h.newUser("rolled")
		err := h.store.Tx(t.Context(), func(tx *store.Store) error {
			if _, err := l.Award(t.Context(), tx, other.ID, ledger.Event{Source: ledger.SourceXELTask, BaseXP: 50, IdempotencyKey: "tx:1"}); err != nil {
				return err
			}
			return errors.New("caller fails")
		})
		if err == nil || h.countRows("xp_events", "user_id = ?", other.ID) != 0 || h.countRows("xp_daily", "user_id = ?", other.ID) != 0 {
			t.Errorf("rolled-back award left rows (%v)", err)
		}

		if _, err := l.Award(t.Context(), h.store, other.ID, ledger.Event{Source: ledger.SourceXELTask, BaseXP: 5, IdempotencyKey: "tx:2"}); !errors.Is(err, ledger.ErrNotInTransaction) {
			t.Errorf("a store outside a transaction was accepted: %v", err)
		}

		// Events are append-only.
		h.serverFaultsExpected = true
		if err := h.store.DB(t.Context()).Exec("UPDATE xp_events SET xp = 1000 WHERE id = ?", first.EventID).Error; err == nil {
			t.Error("an event was updated")
		}

		score := 101.0
		for name, ev := range map[string]ledger.Event{
			"no key":         {Source: ledger.SourceXELTask, BaseXP: 1},
			"unknown source": {Source: "homework", BaseXP: 1, IdempotencyKey: "k"},
			"reward source":  {Source: ledger.SourceQuestReward, BaseXP: 1, IdempotencyKey: "k"},
			"bad kind":       {Source: ledger.SourceXELTask, Kind: "reward", BaseXP: 1, IdempotencyKey: "k"},
			"negative xp":    {Source: ledger.SourceXELTask, BaseXP: -1, IdempotencyKey: "k"},
			"huge xp":        {Source: ledger.SourceXELTask, BaseXP: ledger.MaxEventXP + 1, IdempotencyKey: "k"},
			"bad score":      {Source: ledger.SourceXELTask, Score: &score, IdempotencyKey: "k"},
			"quest key":      {Source: ledger.SourceXELTask, BaseXP: 1, IdempotencyKey: "quest:x"},
			"empty":          {Source: ledger.SourceXELTask, IdempotencyKey: "k"},
			"future":         {Source: ledger.SourceXELTask, BaseXP: 1, IdempotencyKey: "k", OccurredAt: h.store.Now().Add(time.Hour)},
			"long key":       {Source: ledger.SourceXELTask, BaseXP: 1, IdempotencyKey: strings.Repeat("k", 201)},
		} {
			if _, err := l.Award(t.Context(), nil, u.ID, ev); !errors.Is(err, ledger.ErrInvalidEvent) {
				t.Errorf("%s: %v", name, err)
			}
		}
		if _, err := l.Award(t.Context(), nil, store.NewID(), ledger.Event{Source: ledger.SourceXELTask, BaseXP: 1, IdempotencyKey: "k"}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown user: %v", err)
		}
	}, manyLogins)
}

// TestLedgerUnderCallersLocks: 36 goroutines on two replicas award one user at once — a
// third inside a transaction that first locks the user's row FOR NO KEY UPDATE (as Live does),
// a third in transactions of their own, a third changing the user's timezone — with keys
// repeated across replicas. Nothing deadlocks or fails, each key awards once, and the progress
// row, the rollups and the ledger agree.
func TestLedgerUnderCallersLocks(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.at(noon(2026, 11, 27))
		u := h.newUser("locked")
		stores := []*store.Store{h.store, h.replica().store}
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 36)
		var fresh atomic.Int64
		for i := range 36 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// 8 keys, each sent three times from both replicas.
				st := stores[i/12%2]
				ev := ledger.Event{Source: ledger.SourceLiveSession, BaseXP: 3, ActiveSeconds: 10, SessionCompleted: true,
					IdempotencyKey: fmt.Sprintf("lock:%d", i/3%4*2+i%3)}
				var r ledger.Result
				var err error
				switch i % 3 {
				case 0:
					err = st.Tx(ctx, func(tx *store.Store) error {
						q := "SELECT id FROM users WHERE id = ?"
						if st.Dialect() == store.Postgres {
							q += " FOR NO KEY UPDATE"
						}
						var id string
						if err := tx.DB(ctx).Raw(q, u.ID).Scan(&id).Error; err != nil {
							return err
						}
						r, err = ledger.New(st).Award(ctx, tx, u.ID, ev)
						return err
					})
				case 1:
					r, err = ledger.New(st).Award(ctx, nil, u.ID, ev)
				case 2:
					err = st.DB(ctx).Exec("UPDATE users SET timezone = ? WHERE id = ?", []string{"Pacific/Kiritimati", "Pacific/Pago_Pago"}[i%2], u.ID).Error
				}
				if err == nil && i%3 != 2 && !r.Replayed {
					fresh.Add(1)
				}
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		var got struct{ Events, Keys, XP, Tokens, Daily, Progress, ProgressTokens int64 }
		db := h.store.DB(t.Context())
		db.Raw("SELECT COUNT(*) AS events, COUNT(DISTINCT idempotency_key) AS keys, SUM(xp) AS xp, SUM(tokens) AS tokens FROM xp_events WHERE user_id = ?", u.ID).Scan(&got)
		db.Raw("SELECT COALESCE(SUM(xp), 0) FROM xp_daily WHERE user_id = ?", u.ID).Scan(&got.Daily)
		db.Raw("SELECT total_xp FROM xp_progress WHERE user_id = ?", u.ID).Scan(&got.Progress)
		db.Raw("SELECT tokens FROM xp_progress WHERE user_id = ?", u.ID).Scan(&got.ProgressTokens)
		rewards := h.countRows("xp_events", "user_id = ? AND kind = 'reward'", u.ID)
		if fresh.Load() != 8 || got.Events-rewards != 8 || got.Keys != got.Events || got.XP != got.Daily || got.XP != got.Progress || got.Tokens != got.ProgressTokens {
			t.Errorf("%d fresh awards, %+v, %d rewards", fresh.Load(), got, rewards)
		}
	}, manyLogins)
}

// TestBoostersAndLevels: the booster doubles XP while active and not after; level boundaries
// and level-up tokens are exact.
func TestBoostersAndLevels(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		start := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
		h.at(start)
		u := h.newUser("boosted")
		var booster *progress.Booster
		for _, r := range h.completeQuests(u) {
			if r.BoosterEarned != nil {
				booster = r.BoosterEarned
			}
		}
		if booster == nil || booster.Percent != 200 || !booster.EndsAt.Equal(start.Add(time.Hour)) {
			t.Fatalf("booster %+v", booster)
		}
		var prof api.XPProfileResponse
		h.get(u, "/api/xp/profile", &prof)
		if b, err := prof.Booster.Get(); err != nil || b.Multiplier != 2 || !b.EndsAt.Equal(start.Add(time.Hour)) {
			t.Errorf("profile booster %+v", prof.Booster)
		}
		h.at(start.Add(59 * time.Minute))
		r := h.xp(u, 10)
		if r.BaseXP != 10 || r.AwardedXP != 20 || r.Multiplier != 2 {
			t.Errorf("boosted award %+v", r)
		}
		var row store.XPEvent
		h.store.DB(t.Context()).Where("id = ?", r.EventID).Take(&row)
		if row.BaseXP != 10 || row.XP != 20 || row.MultiplierPct != 200 {
			t.Errorf("ledger row %+v", row)
		}
		h.at(start.Add(time.Hour))
		if r := h.xp(u, 10); r.AwardedXP != 10 || r.Multiplier != 1 {
			t.Errorf("after the booster %+v", r)
		}
		h.get(u, "/api/xp/profile", &prof)
		if !prof.Booster.IsNull() {
			t.Errorf("expired booster shown: %+v", prof.Booster)
		}

		// Today's quests are done and no booster runs: XP now adds up exactly.
		total := int64(prof.TotalXp)
		level := progress.LevelOf(total).Level
		next := progress.LevelThreshold(level + 1)
		tokens := prof.TokenBalance
		h.xp(u, int(next-total-1))
		h.get(u, "/api/xp/profile", &prof)
		if prof.Level != level || prof.XpIntoLevel != int(next-1-progress.LevelThreshold(level)) || prof.XpForNextLevel != 100*level || prof.TokenBalance != tokens {
			t.Errorf("one short of level %d: %+v", level+1, prof)
		}
		if r := h.xp(u, 1); !r.LevelUp || r.Level != level+1 || r.TokensEarned != progress.TokensPerLevel || r.TotalXP != next {
			t.Errorf("level-up result %+v", r)
		}
		h.get(u, "/api/xp/profile", &prof)
		if prof.Level != level+1 || prof.XpIntoLevel != 0 || prof.ProgressPercent != 0 || prof.TotalXp != int(next) ||
			prof.XpForNextLevel != 100*(level+1) || prof.TokenBalance != tokens+progress.TokensPerLevel {
			t.Errorf("at level %d: %+v", level+1, prof)
		}
	}, manyLogins)
}

// TestBoosterKeptOverLateQuests: a late event that completes a past day's quests earns that
// day's booster (long over), and must not replace the booster running now.
func TestBoosterKeptOverLateQuests(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
		h.at(now)
		u := h.newUser("late")
		h.completeQuests(u) // today's booster: 10:00–11:00
		score := 95.0
		yesterday := now.Add(-20 * time.Hour)
		var late *progress.Booster
		for _, ev := range []ledger.Event{
			{BaseXP: 200, ActiveSeconds: 1800, TaskCompleted: true, Score: &score, SessionCompleted: true, OccurredAt: yesterday},
			{Kind: ledger.KindQuiz, BaseXP: 200, TaskCompleted: true, Score: &score, OccurredAt: yesterday},
			{BaseXP: 1, TaskCompleted: true, OccurredAt: yesterday},
		} {
			if r := h.award(u, ev); r.BoosterEarned != nil {
				late = r.BoosterEarned
			}
		}
		if late == nil || !late.StartsAt.Equal(yesterday) {
			t.Fatalf("yesterday's quests earned %+v", late)
		}
		h.at(now.Add(10 * time.Minute))
		var prof api.XPProfileResponse
		h.get(u, "/api/xp/profile", &prof)
		if b, err := prof.Booster.Get(); err != nil || !b.EndsAt.Equal(now.Add(time.Hour)) {
			t.Errorf("profile booster %+v", prof.Booster)
		}
		if r := h.xp(u, 10); r.AwardedXP != 20 || r.Multiplier != 2 {
			t.Errorf("the running booster was replaced: %+v", r)
		}
	}, manyLogins)
}

// TestPublicProfile: only public-safe fields; private, disabled and unknown users get the
// same 404.
func TestPublicProfile(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.at(noon(2026, 11, 27))
		u := h.newUser("public")
		h.setMe(u, map[string]any{"public_profile": true, "avatar_url": "https://cdn.example.com/a.png"})
		h.xp(u, 120)
		key, _ := h.newKey(u, h.createOrg(u, "Pub Org").Id.String(), []string{"xel:read"})
		r := h.raw("GET", "/api/xp/public-profile/"+strings.ToUpper(u.Username), nil).expect(t, 200)
		var fields map[string]any
		r.decode(t, &fields)
		var names []string
		for k := range fields {
			names = append(names, k)
		}
		slices.Sort(names)
		if want := []string{"avatar_url", "current_streak", "full_name", "level", "longest_streak", "member_since", "total_xp", "username"}; !slices.Equal(names, want) {
			t.Errorf("fields %v", names)
		}
		body := string(r.Body)
		for _, secret := range []string{u.Email, u.ID, u.Access, u.Refresh, key, "email", "token", `"id"`} {
			if strings.Contains(body, secret) {
				t.Errorf("public profile leaks %q: %s", secret, body)
			}
		}
		var p api.PublicXPProfileResponse
		r.decode(t, &p)
		if p.Username != u.Username || p.Level != 2 || p.TotalXp < 120 || p.CurrentStreak != 1 || ds(p.MemberSince) != "2026-11-27" {
			t.Errorf("profile %+v", p)
		}

		hidden := h.newUser("hidden")
		h.xp(hidden, 10)
		disabled := h.newUser("disabled")
		h.setMe(disabled, map[string]any{"public_profile": true})
		h.store.DB(t.Context()).Exec("UPDATE users SET disabled_at = ? WHERE id = ?", h.store.Now(), disabled.ID)
		unknown := h.raw("GET", "/api/xp/public-profile/nobody_here", nil).expect(t, 404)
		unknown.Header.Del(echo.HeaderXRequestID)
		for _, name := range []string{hidden.Username, disabled.Username} {
			r := h.raw("GET", "/api/xp/public-profile/"+name, nil).expect(t, 404)
			r.Header.Del(echo.HeaderXRequestID)
			if string(r.Body) != string(unknown.Body) || !maps.EqualFunc(r.Header, unknown.Header, slices.Equal) {
				t.Errorf("%s: %v %s vs %v %s", name, r.Header, r.Body, unknown.Header, unknown.Body)
			}
		}
	}, manyLogins)
}

// TestLearningTime: per-day and per-source seconds over local dates, the default range, and
// reversed or too-long ranges refused.
func TestLearningTime(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.at(noon(2026, 11, 27))
		u := h.newUser("timer")
		h.award(u, ledger.Event{Source: ledger.SourceChatSession, ActiveSeconds: 600})
		h.award(u, ledger.Event{Source: ledger.SourceLiveSession, ActiveSeconds: 300, BaseXP: 5})
		h.award(u, ledger.Event{Source: ledger.SourceXELEvaluation, ActiveSeconds: 120, BaseXP: 5, OccurredAt: noon(2026, 11, 20)})
		h.award(u, ledger.Event{Source: ledger.SourceXELTask, ActiveSeconds: 60, OccurredAt: noon(2026, 10, 1)})
		var lt api.LearningTimeAnalyticsResponse
		h.get(u, "/api/xp/learning-time", &lt)
		if ds(lt.StartDate) != "2026-10-29" || ds(lt.EndDate) != "2026-11-27" || len(lt.Daily) != 30 || lt.TotalSeconds != 1020 {
			t.Errorf("default range %+v", lt)
		}
		if b := lt.BySource; b.ChatSession != 600 || b.LiveSession != 300 || b.XelEvaluation != 120 || b.XelTask != 0 {
			t.Errorf("by source %+v", b)
		}
		if lt.Daily[29].Seconds != 900 || lt.Daily[22].Seconds != 120 || ds(lt.Daily[22].Date) != "2026-11-20" {
			t.Errorf("daily %+v", lt.Daily)
		}
		h.get(u, "/api/xp/learning-time?start_date=2026-10-01&end_date=2026-10-01", &lt)
		if lt.TotalSeconds != 60 || lt.BySource.XelTask != 60 || len(lt.Daily) != 1 {
			t.Errorf("one day %+v", lt)
		}
		h.get(u, "/api/xp/learning-time?start_date=2025-11-27&end_date=2026-11-27", &lt)
		if len(lt.Daily) != 366 || lt.TotalSeconds != 1080 {
			t.Errorf("366 days: %d days, %d s", len(lt.Daily), lt.TotalSeconds)
		}
		// The API's dates run from 0001-01-01 to 9999-12-31: both ends answer, a default start
		// that would fall before year 1 stops at it (it was a 500 on PostgreSQL), and an
		// explicit date before year 1 is a 400.
		h.get(u, "/api/xp/learning-time?start_date=0001-01-01&end_date=0001-01-05", &lt)
		if len(lt.Daily) != 5 || lt.TotalSeconds != 0 || ds(lt.Daily[0].Date) != "0001-01-01" {
			t.Errorf("first days of the calendar %+v", lt)
		}
		h.get(u, "/api/xp/learning-time?end_date=9999-12-31", &lt)
		if len(lt.Daily) != 30 || ds(lt.StartDate) != "9999-12-02" {
			t.Errorf("last days of the calendar %+v", lt)
		}
		for _, q := range []string{"start_date=2026-11-28&end_date=2026-11-27", "start_date=2025-11-26&end_date=2026-11-27", "start_date=2026-12-01", "start_date=yesterday",
			"start_date=0000-12-31&end_date=0001-01-05"} {
			if d := h.raw("GET", "/api/xp/learning-time?"+q, nil, u.auth()).expect(t, 400).errorBody(t); d.Error != "validation_error" || d.Errors == nil {
				t.Errorf("%s: %+v", q, d)
			}
		}
	}, manyLogins)
}

// TestRollupsMatchEvents: after awards over many days, zones and boosters, the rollups say
// exactly what the raw events say (the reads never need the events).
func TestRollupsMatchEvents(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("consistent")
		h.setMe(u, map[string]any{"timezone": "Asia/Kolkata"})
		base := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		score := 85.0
		for i := range 120 {
			at := base.Add(time.Duration(i*7) * time.Hour)
			h.at(at)
			if i == 60 {
				h.setMe(u, map[string]any{"timezone": "America/Los_Angeles"})
			}
			ev := ledger.Event{BaseXP: i % 13, ActiveSeconds: i % 5 * 60, TaskCompleted: i%3 == 0, SessionCompleted: i%11 == 0}
			if i%4 == 0 {
				ev.Kind, ev.Score = ledger.KindQuiz, &score
			}
			if ev.BaseXP == 0 && ev.ActiveSeconds == 0 {
				ev.TaskCompleted = true
			}
			h.award(u, ev)
		}
		l := ledger.New(h.store)
		loc := civil.Zone("America/Los_Angeles")
		fromRollups, err := l.Pulse(t.Context(), u.ID, loc)
		if err != nil {
			t.Fatal(err)
		}
		fromEvents, err := l.PulseFromEvents(t.Context(), u.ID, loc)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(fromRollups)
		b, _ := json.Marshal(fromEvents)
		if string(a) != string(b) || fromRollups.ActiveDays < 30 {
			t.Errorf("pulse from rollups differs from the events (%d active days)", fromRollups.ActiveDays)
		}
		var daily, raw []store.XPDay
		h.store.DB(t.Context()).Where("user_id = ? AND (xp > 0 OR events > 0)", u.ID).Order("local_date").Find(&daily)
		raw, _ = h.store.XPDaysFromEvents(t.Context(), u.ID, day("2026-01-01"), day("2026-12-31"), progress.HighScore)
		if a, b := fmt.Sprint(daily), fmt.Sprint(raw); a != b {
			t.Errorf("rollups\n%s\nevents\n%s", a, b)
		}
		var pulse api.LearningPulseResponse
		h.get(u, "/api/xp/learning-pulse", &pulse)
		intensities := map[int]int{}
		for i, d := range pulse.Days {
			intensities[d.Intensity]++
			want := fromRollups.Days[i]
			if ds(d.Date) != want.Date.String() || int64(d.Xp) != want.XP || int64(d.ActiveSeconds) != want.ActiveSeconds || d.Intensity != want.Intensity {
				t.Fatalf("route day %d %+v, ledger %+v", i, d, want)
			}
		}
		if pulse.TotalXp != int(fromRollups.TotalXP) || pulse.ActiveDays != fromRollups.ActiveDays || ds(pulse.StartDate) != fromRollups.Start.String() {
			t.Errorf("route pulse totals %d/%d", pulse.TotalXp, pulse.ActiveDays)
		}
		if len(pulse.Days) != 365 || intensities[0] == 0 || intensities[4] == 0 || intensities[2] == 0 {
			t.Errorf("intensities %v", intensities)
		}
	}, manyLogins)
}

// TestPublicProfileRateLimited: anonymous profile reads are counted per client address (by
// /64 for IPv6), unknown and hidden names alike, so walking usernames is throttled; another
// address is not affected and the window reopens.
func TestPublicProfileRateLimited(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		u := h.newUser("walked")
		h.setMe(u, map[string]any{"public_profile": true})
		h.remoteAddr = "[2001:db8:7::1]:1000"
		for i := 0; i < 5; i++ {
			h.raw("GET", "/api/xp/public-profile/"+u.Username, nil).expect(t, 200)
		}
		h.remoteAddr = "[2001:db8:7::2]:1000" // same /64
		h.raw("GET", fmt.Sprintf("/api/xp/public-profile/nobody%d", 1), nil).expect(t, 404)
		r := h.raw("GET", "/api/xp/public-profile/"+u.Username, nil).expect(t, 429)
		if r.Header.Get("Retry-After") == "" || r.errorBody(t).Error != "too_many_attempts" {
			t.Fatalf("throttled read: %v %s", r.Header, r.Body)
		}
		h.remoteAddr = "198.51.100.40:1"
		h.raw("GET", "/api/xp/public-profile/"+u.Username, nil).expect(t, 200)
		h.remoteAddr = "[2001:db8:7::1]:1000"
		h.clock.Advance(time.Minute)
		h.raw("GET", "/api/xp/public-profile/"+u.Username, nil).expect(t, 200)
	}, func(c *server.Config) { c.PublicProfileIPLimit = 6 })
}
