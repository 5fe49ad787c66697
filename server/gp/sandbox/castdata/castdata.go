// Package castdata is the seeded clinical data of the sandbox GP system's
// cast: their GP health records (with the codes, clinicians and letters in
// them), their repeat prescription templates, earlier requests and
// nominated pharmacies, and the sandbox's pharmacy directory.
//
// It is sandbox-only fixture data: everything in it is invented, only
// server/gp/sandbox imports it (to seed Redis), and production never uses
// it. It knows the cast by NHS number alone; the sandbox keeps who they are
// (names, ages, practices) and dates a record through a Clock.
package castdata

import (
	"time"

	"github.com/nhs-companion/companion/server/gp"
)

// The cast's GP health records. Everything is synthetic: people, places,
// clinicians, batch numbers and letters are invented, and hospitals are
// marked "(sandbox)". Codes are real SNOMED CT concept ids (the UK edition,
// dm+d for medicines) with their UK preferred terms, as a GP system sends
// them. Every date is relative to today or to the patient's birth, like the
// cast's ages, so the demo never ages; letters' texts therefore name no
// dates.

// Record is the record of the cast member with nhsNumber, dated by c,
// without IDs, and false when castdata has none for them. Its Demographics
// hold only what registration does not (gender, address, phone).
func Record(nhsNumber string, c Clock) (gp.Record, bool) {
	build := records[nhsNumber]
	if build == nil {
		return gp.Record{}, false
	}
	return build(c), true
}

// records builds each cast member's record, by NHS number.
var records = map[string]func(Clock) gp.Record{
	"9990000018": amaraRecord,
	"9990000026": laylaRecord,
	"9990000034": priyaRecord,
	"9990000042": georgeRecord,
	"9990000050": rhysRecord,
	"9990000069": tomRecord,
	"9990000077": kofiRecord,
}

// Clock dates one person's record: days before today, or an age.
type Clock struct {
	today time.Time // midnight UTC of today's calendar date
	birth time.Time
	// births gives, by NHS number, a cast member's birth date as of a day.
	births func(today time.Time, nhsNumber string) (gp.Date, bool)
}

// NewClock dates, on the day today, the record of someone born on birth.
// births gives, by NHS number, a cast member's birth date as of a day, for
// events in the record tied to it (a mother's pregnancies).
func NewClock(today time.Time, birth gp.Date, births func(today time.Time, nhsNumber string) (gp.Date, bool)) Clock {
	y, m, d := today.Date()
	return Clock{today: time.Date(y, m, d, 0, 0, 0, 0, time.UTC), birth: midnight(birth), births: births}
}

func midnight(d gp.Date) time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// Ago is the date days before today.
func (c Clock) Ago(days int) gp.Date { return gp.DateOf(c.today.AddDate(0, 0, -days)) }

// age is the date the person was years old and days more.
func (c Clock) age(years, days int) gp.Date { return gp.DateOf(c.birth.AddDate(years, 0, days)) }

// ageYM is the date the person was years and months old.
func (c Clock) ageYM(years, months int) gp.Date {
	return gp.DateOf(c.birth.AddDate(years, months, 0))
}

// weeksOld is the date the person was weeks old.
func (c Clock) weeksOld(weeks int) gp.Date { return gp.DateOf(c.birth.AddDate(0, 0, 7*weeks)) }

// birthOf is another cast member's birth date, for events in this record
// tied to it (a mother's pregnancies).
func (c Clock) birthOf(nhsNumber string) time.Time {
	if b, ok := c.births(c.today, nhsNumber); ok {
		return midnight(b)
	}
	panic("sandbox: no cast member " + nhsNumber)
}

// from is the date days after t (before, when negative).
func from(t time.Time, days int) gp.Date { return gp.DateOf(t.AddDate(0, 0, days)) }
