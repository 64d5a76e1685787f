package ledger

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/xentree/xentree-api/internal/civil"
	"github.com/xentree/xentree-api/internal/progress"
	"github.com/xentree/xentree-api/store"
)

// The reads below take the user's current timezone (loc) to place "today"; they read the
// progress row and daily rollups only, never the raw events.

// Standing is a user's progress as of now, from the progress row alone.
type Standing struct {
	Today  civil.Date
	Level  progress.Level
	Streak progress.StreakView
	// Booster is the booster active now (nil when none).
	Booster *progress.Booster
	Tokens  int64
}

// Standing reads userID's level, streak, booster and tokens as of now.
func (l *Ledger) Standing(ctx context.Context, userID string, loc *time.Location) (Standing, error) {
	p, err := l.store.XPProgressOf(ctx, userID)
	if err != nil {
		return Standing{}, err
	}
	return l.standing(p, loc), nil
}

func (l *Ledger) standing(p *store.XPProgress, loc *time.Location) Standing {
	now := l.store.Now()
	today := progress.Today(now, loc)
	s := Standing{Today: today, Level: progress.LevelOf(p.TotalXP), Streak: streakOf(p).At(today), Tokens: p.Tokens}
	if b := boosterOf(p); b.ActiveAt(now) {
		s.Booster = &b
	}
	return s
}

// Profile is the standing with today's totals.
type Profile struct {
	Standing
	TodayTotals progress.DayTotals
}

// Profile reads userID's standing and today's rollup.
func (l *Ledger) Profile(ctx context.Context, userID string, loc *time.Location) (Profile, error) {
	st, err := l.Standing(ctx, userID, loc)
	if err != nil {
		return Profile{}, err
	}
	day, err := l.store.XPDayOf(ctx, userID, st.Today)
	if err != nil {
		return Profile{}, err
	}
	return Profile{Standing: st, TodayTotals: totalsOf(day)}, nil
}

// WeekDay is one day of the weekly view.
type WeekDay struct {
	Date          civil.Date
	XP            int64
	FreezeCovered bool
}

// Week is the user's current Sunday–Saturday week.
type Week struct {
	Start, End civil.Date
	Days       []WeekDay
	TotalXP    int64
	// FreezeCovered are the week's days a freeze covered (or covers while the streak is alive).
	FreezeCovered []civil.Date
}

// Week reads the current local week of userID: 7 days, whatever DST does.
func (l *Ledger) Week(ctx context.Context, userID string, loc *time.Location) (Week, error) {
	st, err := l.Standing(ctx, userID, loc)
	if err != nil {
		return Week{}, err
	}
	w := Week{FreezeCovered: []civil.Date{}}
	w.Start, w.End = progress.Week(st.Today)
	rows, err := l.store.XPActivity(ctx, userID, w.Start, w.End)
	if err != nil {
		return Week{}, err
	}
	byDate := map[civil.Date]store.XPActivityDay{}
	for _, r := range rows {
		byDate[r.LocalDate] = r
	}
	pending := map[civil.Date]bool{}
	for _, d := range st.Streak.Pending {
		pending[d] = true
	}
	for d := w.Start; d <= w.End; d++ {
		r := byDate[d]
		day := WeekDay{Date: d, XP: r.XP, FreezeCovered: r.FreezeCovered || pending[d]}
		w.Days = append(w.Days, day)
		w.TotalXP += r.XP
		if day.FreezeCovered {
			w.FreezeCovered = append(w.FreezeCovered, d)
		}
	}
	return w, nil
}

// PulseDay is one day of the learning pulse.
type PulseDay struct {
	Date              civil.Date
	XP, ActiveSeconds int64
	Intensity         int
}

// Pulse is the 365-day heatmap ending today.
type Pulse struct {
	Start, End civil.Date
	Days       []PulseDay
	TotalXP    int64
	// ActiveDays counts days with XP or learning time.
	ActiveDays int
}

// Pulse reads userID's last 365 local days from the rollups.
func (l *Ledger) Pulse(ctx context.Context, userID string, loc *time.Location) (Pulse, error) {
	start, end := progress.PulseRange(progress.Today(l.store.Now(), loc))
	rows, err := l.store.XPActivity(ctx, userID, start, end)
	if err != nil {
		return Pulse{}, err
	}
	return pulseOf(start, end, rows), nil
}

// PulseFromEvents is Pulse computed from the raw events instead of the rollups: slower by
// design, for consistency checks and as the baseline the rollups are benchmarked against.
func (l *Ledger) PulseFromEvents(ctx context.Context, userID string, loc *time.Location) (Pulse, error) {
	start, end := progress.PulseRange(progress.Today(l.store.Now(), loc))
	days, err := l.store.XPDaysFromEvents(ctx, userID, start, end, progress.HighScore)
	if err != nil {
		return Pulse{}, err
	}
	rows := make([]store.XPActivityDay, len(days))
	for i, d := range days {
		rows[i] = store.XPActivityDay{LocalDate: d.LocalDate, XP: d.XP, ActiveSeconds: d.ActiveSeconds}
	}
	return pulseOf(start, end, rows), nil
}

func pulseOf(start, end civil.Date, rows []store.XPActivityDay) Pulse {
	p := Pulse{Start: start, End: end, Days: make([]PulseDay, 0, end.DaysSince(start)+1)}
	xp := make([]int64, len(rows))
	for i, r := range rows {
		xp[i] = r.XP
	}
	scale := progress.NewPulseScale(xp)
	i := 0
	for d := start; d <= end; d++ {
		var r store.XPActivityDay
		if i < len(rows) && rows[i].LocalDate == d {
			r = rows[i]
			i++
		}
		p.Days = append(p.Days, PulseDay{Date: d, XP: r.XP, ActiveSeconds: r.ActiveSeconds, Intensity: scale.Intensity(r.XP, r.ActiveSeconds)})
		p.TotalXP += r.XP
		if r.XP > 0 || r.ActiveSeconds > 0 {
			p.ActiveDays++
		}
	}
	return p
}

// QuestStatus is one of today's quests with its progress.
type QuestStatus struct {
	progress.Quest
	// ID is stable for the user, day and quest (a name-based UUID).
	ID        uuid.UUID
	Progress  int
	Completed bool
}

// DailyQuests are a user's quests of one local day.
type DailyQuests struct {
	Date         civil.Date
	Quests       []QuestStatus
	AllCompleted bool
}

// questIDs namespaces the quest ids.
var questIDs = uuid.MustParse("6f1c2e0a-5d1b-4b8e-9a57-3c0f7e2d9b41")

// Quests reads userID's quests of today with their progress from today's rollup.
func (l *Ledger) Quests(ctx context.Context, userID string, loc *time.Location) (DailyQuests, error) {
	today := progress.Today(l.store.Now(), loc)
	day, err := l.store.XPDayOf(ctx, userID, today)
	if err != nil {
		return DailyQuests{}, err
	}
	t := totalsOf(day)
	qs := progress.DailyQuests(userID, today)
	out := DailyQuests{Date: today, AllCompleted: progress.AllDone(qs, t)}
	for _, q := range qs {
		out.Quests = append(out.Quests, QuestStatus{Quest: q, Progress: q.Progress(t), Completed: q.Done(t),
			ID: uuid.NewSHA1(questIDs, []byte(userID+"|"+today.String()+"|"+q.Key))})
	}
	return out, nil
}

// LearningTime is active learning time over a range of local days.
type LearningTime struct {
	Start, End   civil.Date
	TotalSeconds int64
	// Daily has every day of the range, in order (0 for days without learning).
	Daily []DaySeconds
	// BySource has every learning source (0 when unused).
	BySource map[Source]int64
}

// DaySeconds is one day's learning time.
type DaySeconds struct {
	Date    civil.Date
	Seconds int64
}

// LearningTime reads userID's learning time over from..to (resolve them with
// progress.DateRange).
func (l *Ledger) LearningTime(ctx context.Context, userID string, from, to civil.Date) (LearningTime, error) {
	rows, err := l.store.XPActivity(ctx, userID, from, to)
	if err != nil {
		return LearningTime{}, err
	}
	sources, err := l.store.XPSourceTotals(ctx, userID, from, to)
	if err != nil {
		return LearningTime{}, err
	}
	lt := LearningTime{Start: from, End: to, BySource: map[Source]int64{}}
	for _, s := range LearningSources {
		lt.BySource[s] = 0
	}
	for _, s := range sources {
		if _, ok := lt.BySource[Source(s.Source)]; ok {
			lt.BySource[Source(s.Source)] = s.ActiveSeconds
		}
	}
	i := 0
	for d := from; d <= to; d++ {
		var secs int64
		if i < len(rows) && rows[i].LocalDate == d {
			secs = rows[i].ActiveSeconds
			i++
		}
		lt.Daily = append(lt.Daily, DaySeconds{Date: d, Seconds: secs})
		lt.TotalSeconds += secs
	}
	return lt, nil
}
