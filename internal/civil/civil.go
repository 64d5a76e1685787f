// Package civil is calendar dates without a time or a zone: the days of a user's local
// calendar. Arithmetic is on day numbers, so it never meets a DST change (adding 24 hours to
// an instant can land on the same local day, or skip one; adding a day to a Date cannot).
package civil

import (
	"database/sql/driver"
	"fmt"
	"sync"
	"time"
	_ "time/tzdata" // zones resolve on machines without a zoneinfo database
)

// Date is a calendar day, counted in days from 1970-01-01 (negative before). Dates compare
// with < and ==, and d+n is n days later.
type Date int32

// Layout is the text form of a Date (RFC 3339 full-date).
const Layout = "2006-01-02"

// Min and Max are the first and last dates Layout can write (years 1 to 9999): the range of
// the API's dates and of every database column of dates.
var (
	Min = New(1, 1, 1)
	Max = New(9999, 12, 31)
)

// Of is the calendar day of t in loc.
func Of(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return New(y, m, d)
}

// New is the date y-m-d (out-of-range parts normalize, as in time.Date).
func New(y int, m time.Month, d int) Date {
	// Midnight UTC is an exact multiple of a day since the epoch, so the division is exact.
	return Date(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// Parse reads a YYYY-MM-DD date.
func Parse(s string) (Date, error) {
	t, err := time.Parse(Layout, s)
	if err != nil {
		return 0, fmt.Errorf("civil: invalid date %q", s)
	}
	return New(t.Date()), nil
}

// UTCMidnight is the date as midnight UTC (the form openapi_types.Date and time.Format expect).
func (d Date) UTCMidnight() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// Start is the first instant of the date in loc (its local midnight, or the first existing
// instant after it where a DST change skips midnight).
func (d Date) Start(loc *time.Location) time.Time {
	y, m, day := d.UTCMidnight().Date()
	t := time.Date(y, m, day, 0, 0, 0, 0, loc)
	if Of(t, loc) < d { // midnight is in a DST gap: time.Date answered in the day before
		_, t = t.ZoneBounds() // the change itself is the day's first instant
	}
	return t
}

// Weekday is the day of the week (1970-01-01 was a Thursday).
func (d Date) Weekday() time.Weekday { return time.Weekday(((int(d)+4)%7 + 7) % 7) }

// AddDays is n days later (earlier for negative n).
func (d Date) AddDays(n int) Date { return d + Date(n) }

// DaysSince is the number of days from e to d (negative when d is before e).
func (d Date) DaysSince(e Date) int { return int(d - e) }

// String is YYYY-MM-DD.
func (d Date) String() string { return string(d.AppendText(make([]byte, 0, 10))) }

// AppendText appends YYYY-MM-DD to b (no allocation beyond b's growth).
func (d Date) AppendText(b []byte) []byte {
	y, m, day := d.UTCMidnight().Date()
	if y < 0 || y > 9999 {
		return d.UTCMidnight().AppendFormat(b, Layout)
	}
	return append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+int(m)/10), byte('0'+int(m)%10), '-', byte('0'+day/10), byte('0'+day%10))
}

// MarshalText renders YYYY-MM-DD.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses YYYY-MM-DD.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	*d = v
	return err
}

// Value stores the date as YYYY-MM-DD text: a DATE on PostgreSQL, sortable TEXT on SQLite.
func (d Date) Value() (driver.Value, error) { return d.String(), nil }

// Scan reads a DATE (time.Time) or YYYY-MM-DD text.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		*d = New(v.Date())
		return nil
	case string:
		return d.UnmarshalText([]byte(v[:min(len(v), 10)]))
	case []byte:
		return d.UnmarshalText(v[:min(len(v), 10)])
	}
	return fmt.Errorf("civil: cannot scan %T into a Date", src)
}

var zones sync.Map // name → *time.Location

// Zone is the IANA zone name's location, cached (zones never change while the process runs).
// An unknown name is UTC: the API stores validated names only, so that means this build lacks
// a zone a newer one had.
func Zone(name string) *time.Location {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "" || name == "Local" {
		loc = time.UTC
	}
	zones.Store(name, loc)
	return loc
}
