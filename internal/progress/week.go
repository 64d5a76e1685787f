package progress

import (
	"errors"
	"fmt"
	"time"

	"github.com/xentree/xentree-api/internal/civil"
)

// Week is the Sunday–Saturday week holding day: its first and last dates (always 7 days, DST
// changes included, since dates are civil).
func Week(day civil.Date) (start, end civil.Date) {
	start = day.AddDays(-int(day.Weekday()))
	return start, start.AddDays(6)
}

// Today is the local date of now in loc.
func Today(now time.Time, loc *time.Location) civil.Date { return civil.Of(now, loc) }

// PulseDays is the length of the learning pulse: the 365 days ending today.
const PulseDays = 365

// PulseRange is the first and last day of the learning pulse ending on today.
func PulseRange(today civil.Date) (start, end civil.Date) {
	return today.AddDays(-(PulseDays - 1)), today
}

// Learning-time ranges: the last DefaultRangeDays days by default, at most MaxRangeDays.
const (
	DefaultRangeDays = 30
	MaxRangeDays     = 366
)

// Range problems.
var (
	ErrRangeReversed = errors.New("start_date is after end_date")
	ErrRangeTooLong  = fmt.Errorf("the range spans more than %d days", MaxRangeDays)
	// ErrRangeOutOfBounds: a day of the range (a defaulted start included) lies outside
	// civil.Min..civil.Max.
	ErrRangeOutOfBounds = fmt.Errorf("the range must lie between %s and %s", civil.Min, civil.Max)
)

// FirstDate is the earliest date the API accepts and returns (year 1: PostgreSQL has no year
// 0, and the spec's dates start there).
var FirstDate = civil.Min

// DateRange resolves optional start and end dates against today: end defaults to today, start
// to DefaultRangeDays days ending on end, but not before FirstDate. Every day of the range must
// lie in civil.Min..Max.
func DateRange(today civil.Date, start, end *civil.Date) (from, to civil.Date, err error) {
	to = today
	if end != nil {
		to = *end
	}
	from = max(to.AddDays(-(DefaultRangeDays - 1)), FirstDate)
	if start != nil {
		from = *start
	}
	switch {
	case from > to:
		return 0, 0, ErrRangeReversed
	case to.DaysSince(from)+1 > MaxRangeDays:
		return 0, 0, ErrRangeTooLong
	case from < civil.Min || to > civil.Max:
		return 0, 0, ErrRangeOutOfBounds
	}
	return from, to, nil
}
