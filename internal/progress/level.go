package progress

import "math"

// LevelStep is the XP the curve adds per level: going from level L to L+1 takes LevelStep×L XP,
// so reaching level L takes LevelStep×L×(L−1)/2 in total (0, 100, 300, 600, 1000, …).
const LevelStep = 100

// Level is where a total XP stands on the curve.
type Level struct {
	Level int
	// TotalXP is the XP earned in all.
	TotalXP int64
	// IntoLevel is the XP earned since reaching Level; ForNext is the XP the whole level spans
	// (IntoLevel < ForNext).
	IntoLevel, ForNext int64
	// Percent is IntoLevel/ForNext in percent, floored to one decimal (never 100).
	Percent float64
}

// MaxLevel is the top of the curve: the last level whose threshold an int64 holds. Totals
// beyond its threshold stay on it.
const MaxLevel = 429_496_730

// LevelThreshold is the total XP at which level starts (level ≥ 1); math.MaxInt64 past MaxLevel.
func LevelThreshold(level int) int64 {
	if level > MaxLevel {
		return math.MaxInt64
	}
	l := int64(level)
	return l * (l - 1) / 2 * LevelStep // l·(l−1) is even: exact, and no overflow up to MaxLevel
}

// LevelOf places total XP (negative counts as 0) on the curve.
func LevelOf(total int64) Level {
	total = max(total, 0)
	// Solve 50·L·(L−1) ≤ total, then correct the float estimate with exact integer checks.
	l := min(max(int((1+math.Sqrt(1+8*float64(total)/LevelStep))/2), 1), MaxLevel)
	for l > 1 && LevelThreshold(l) > total {
		l--
	}
	for l < MaxLevel && LevelThreshold(l+1) <= total {
		l++
	}
	into, span := total-LevelThreshold(l), int64(LevelStep*l)
	return Level{Level: l, TotalXP: total, IntoLevel: into, ForNext: span,
		Percent: math.Floor(float64(into)*1000/float64(span)) / 10}
}

// Token rewards.
const (
	// TokensPerLevel are granted for every level reached.
	TokensPerLevel = 5
	// TokensPerQuest are granted for every daily quest completed.
	TokensPerQuest = 1
)

// LevelUpTokens are the tokens earned by going from total XP before to after.
func LevelUpTokens(before, after int64) int {
	return max(0, LevelOf(after).Level-LevelOf(before).Level) * TokensPerLevel
}
