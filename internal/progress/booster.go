package progress

import "time"

// Booster rules: completing all three daily quests earns a booster that multiplies the XP of
// every event occurring in the next BoosterDuration by BoosterPercent/100.
const (
	BoosterPercent  = 200
	BoosterDuration = time.Hour
)

// Booster is an XP multiplier active over [StartsAt, EndsAt). The zero Booster is none.
type Booster struct {
	// Percent multiplies XP: 200 doubles it. 0 means no booster.
	Percent          int
	StartsAt, EndsAt time.Time
}

// EarnBooster is the booster earned at t.
func EarnBooster(t time.Time) Booster {
	return Booster{Percent: BoosterPercent, StartsAt: t, EndsAt: t.Add(BoosterDuration)}
}

// ActiveAt reports whether the booster multiplies XP at t.
func (b Booster) ActiveAt(t time.Time) bool {
	return b.Percent > 0 && !t.Before(b.StartsAt) && t.Before(b.EndsAt)
}

// Apply is base XP awarded at t: multiplied (rounded down) while the booster is active.
// It returns the awarded XP and the percent applied (100 when none).
func (b Booster) Apply(base int, t time.Time) (awarded, percent int) {
	if !b.ActiveAt(t) {
		return base, 100
	}
	return base * b.Percent / 100, b.Percent
}

// Replace is the booster held after earning n while holding b: n, unless b ends later (n was
// earned for an earlier time, by a late event completing a past day's quests).
func (b Booster) Replace(n Booster) Booster {
	if b.Percent > 0 && b.EndsAt.After(n.EndsAt) {
		return b
	}
	return n
}

// Multiplier is Percent as a factor (1 for none).
func (b Booster) Multiplier() float64 {
	if b.Percent == 0 {
		return 1
	}
	return float64(b.Percent) / 100
}
