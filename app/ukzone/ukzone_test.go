package ukzone

import (
	"testing"
	"time"
	_ "time/tzdata"
)

// TestSameAsTheTZDatabase: hour by hour from 1997 to 2040, and at every
// minute around each change, the zone gives the tz database's offset and
// abbreviation.
func TestSameAsTheTZDatabase(t *testing.T) {
	db, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	check := func(at time.Time) {
		t.Helper()
		gotName, gotOff := at.In(Location).Zone()
		wantName, wantOff := at.In(db).Zone()
		if gotName != wantName || gotOff != wantOff {
			t.Fatalf("%s: %s %+d, want %s %+d", at.UTC(), gotName, gotOff, wantName, wantOff)
		}
	}
	end := time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)
	_, prev := time.Date(1997, 1, 1, 0, 0, 0, 0, time.UTC).In(db).Zone()
	for at := time.Date(1997, 1, 1, 0, 0, 0, 0, time.UTC); at.Before(end); at = at.Add(time.Hour) {
		check(at)
		if _, off := at.In(db).Zone(); off != prev {
			for m := at.Add(-2 * time.Hour); m.Before(at.Add(time.Hour)); m = m.Add(time.Minute) {
				check(m)
			}
			prev = off
		}
	}
	// Wall-clock times go the same way too (booking pages build them).
	for _, s := range []string{"2027-03-28 00:59", "2027-03-28 02:30", "2027-10-31 01:30", "2027-07-01 08:00"} {
		a, _ := time.ParseInLocation("2006-01-02 15:04", s, Location)
		b, _ := time.ParseInLocation("2006-01-02 15:04", s, db)
		if !a.Equal(b) {
			t.Errorf("%s: %s, want %s", s, a.UTC(), b.UTC())
		}
	}
}
