package progress

import "github.com/xentree/xentree-api/internal/civil"

// Streak rules: a streak is a run of active local days (days with XP > 0). Every
// FreezeEvery-th day of a streak earns a freeze, up to MaxFreezes held. A gap of missed days
// is covered when the freezes held can cover all of it: they are consumed and the covered
// dates remembered, and the streak goes on (covered days do not add to its length). A gap
// longer than the freezes held breaks the streak and consumes nothing.
const (
	FreezeEvery = 7
	MaxFreezes  = 2
)

// Streak is the state folded from a user's active days, in date order.
type Streak struct {
	// Current is the length of the streak ending on Last; Longest the longest ever.
	Current, Longest int
	// Last is the latest active day (meaningless while Longest is 0: no active day yet).
	Last civil.Date
	// Freezes are held (0..MaxFreezes); FreezesUsed were consumed in all.
	Freezes, FreezesUsed int
}

// Started reports whether the user has had any active day.
func (s Streak) Started() bool { return s.Longest > 0 }

// Record folds in a newly active day d, which must come after s.Last (days arrive in order;
// use Replay for one that does not). It returns the new state and the dates freezes covered.
func (s Streak) Record(d civil.Date) (Streak, []civil.Date) {
	var covered []civil.Date
	switch gap := d.DaysSince(s.Last) - 1; {
	case !s.Started():
		s.Current = 1
	case gap < 0:
		return s, nil
	case gap == 0:
		s.Current++
	case gap <= s.Freezes:
		for day := s.Last + 1; day < d; day++ {
			covered = append(covered, day)
		}
		s.Freezes -= gap
		s.FreezesUsed += gap
		s.Current++
	default:
		s.Current = 1
	}
	s.Last = d
	s.Longest = max(s.Longest, s.Current)
	if s.Current%FreezeEvery == 0 && s.Freezes < MaxFreezes {
		s.Freezes++
	}
	return s, covered
}

// Replay folds every active day (ascending, no duplicates) into a fresh state and returns it
// with all the dates freezes covered.
func Replay(days []civil.Date) (Streak, []civil.Date) {
	var (
		s       Streak
		covered []civil.Date
	)
	for _, d := range days {
		var c []civil.Date
		s, c = s.Record(d)
		covered = append(covered, c...)
	}
	return s, covered
}

// StreakView is a streak as seen on a given local day.
type StreakView struct {
	Current, Longest int
	// FreezesAvailable and FreezesUsed count the freezes that would cover the missed days
	// before today as already spent.
	FreezesAvailable, FreezesUsed int
	// LastActive is the latest active day; HasActivity is false when there is none.
	LastActive  civil.Date
	HasActivity bool
	// AtRisk: the streak is alive but today has no XP yet.
	AtRisk bool
	// Pending are the missed days since LastActive that freezes cover while the streak is
	// alive (recorded for good when the next active day comes).
	Pending []civil.Date
}

// At is the streak seen on today. Missed days before today are covered as long as the freezes
// held can cover all of them; once they cannot, the streak shows as broken (Current 0) and no
// freeze is spent. A LastActive after today (the user moved west across the date line) counts
// as today.
func (s Streak) At(today civil.Date) StreakView {
	v := StreakView{Longest: s.Longest, FreezesAvailable: s.Freezes, FreezesUsed: s.FreezesUsed,
		LastActive: s.Last, HasActivity: s.Started()}
	if !s.Started() {
		return v
	}
	gap := today.DaysSince(s.Last) - 1
	switch {
	case gap < 0:
		v.Current = s.Current
	case gap <= s.Freezes:
		v.Current, v.AtRisk = s.Current, true
		for day := s.Last + 1; day < today; day++ {
			v.Pending = append(v.Pending, day)
		}
		v.FreezesAvailable -= gap
		v.FreezesUsed += gap
	}
	return v
}
