package progress

import "slices"

// PulseScale buckets a day's activity into heatmap intensities 0–4 relative to the user's
// own active days: the quartiles of the XP of the days with XP in the window.
type PulseScale struct {
	q1, q2, q3 int64
}

// NewPulseScale builds the scale from the XP of every day in the window (days with 0 XP are
// ignored). Quartiles are nearest-rank: q(p) = v[⌈p·n⌉−1] of the n sorted values.
func NewPulseScale(xp []int64) PulseScale {
	var v []int64
	for _, x := range xp {
		if x > 0 {
			v = append(v, x)
		}
	}
	if len(v) == 0 {
		return PulseScale{}
	}
	slices.Sort(v)
	rank := func(num int) int64 { return v[(num*len(v)+3)/4-1] } // ⌈num/4·n⌉−1
	return PulseScale{q1: rank(1), q2: rank(2), q3: rank(3)}
}

// Intensity is 0 for a day without activity, 1 for time without XP or XP below the first
// quartile, 2 from the first, 3 from the median and 4 from the third quartile up.
func (s PulseScale) Intensity(xp, activeSeconds int64) int {
	switch {
	case xp <= 0 && activeSeconds <= 0:
		return 0
	case xp <= 0:
		return 1
	case xp >= s.q3:
		return 4
	case xp >= s.q2:
		return 3
	case xp >= s.q1:
		return 2
	}
	return 1
}
