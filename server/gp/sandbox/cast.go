package sandbox

import (
	"time"

	"github.com/nhs-companion/companion/server/gp"
)

// The sandbox practices. Codes are in no real ODS range in use by GP
// practices, so nothing here can be mistaken for a real practice.
var practices = []gp.Practice{
	{
		ODS: "Z00001", Name: "Riverside Medical Centre (sandbox)", ICB: "QZZ01", Country: "England",
		TimeZone: "Europe/London", Address: []string{"1 River Walk", "Leeds"}, Postcode: "LS1 4ZZ", Phone: "0113 496 0000",
	},
	{
		ODS: "Z00002", Name: "Meddygfa Glan Taf (sandbox)", ICB: "QZZ02", Country: "Wales",
		TimeZone: "Europe/London", Address: []string{"2 Heol y Bont", "Caerdydd"}, Postcode: "CF10 9ZZ", Phone: "029 2018 0000",
	},
}

// PilotPractice is the sandbox practice that pilots every feature.
const PilotPractice = "Z00001"

// NonPilotPractice is the sandbox practice outside the pilot.
const NonPilotPractice = "Z00002"

// castMember is one person of the sandbox cast. Ages are kept constant by
// deriving birth dates from today, so the demo never ages out of its rules.
type castMember struct {
	nhsNumber, given, family, practice string
	age                                int
	birthdayOffset                     int // days after today's date of their last birthday
}

// cast is DESIGN.md's sandbox cast. NHS numbers are from the 999 range, which
// is never issued.
var cast = []castMember{
	{"9990000018", "Amara", "Okafor", PilotPractice, 38, 41},
	{"9990000026", "Layla", "Okafor", PilotPractice, 8, 73},
	{"9990000034", "Priya", "Shah", PilotPractice, 45, 112},
	{"9990000042", "George", "Whitfield", PilotPractice, 84, 199},
	{"9990000050", "Rhys", "Evans", NonPilotPractice, 29, 25},
	{"9990000069", "Tom", "Baker", PilotPractice, 52, 160},
	// Kofi is past the pilot practice's child-access age: his mother's
	// proxy access is suspended (the age rule's sandbox case).
	{"9990000077", "Kofi", "Okafor", PilotPractice, 12, 30},
}

// birthDate is the birth date that makes someone age years old today, with
// their last birthday offset days ago.
func birthDate(today time.Time, age, offset int) gp.Date {
	last := today.AddDate(0, 0, -offset)
	return gp.DateOf(last.AddDate(-age, 0, 0))
}

// castBirth is the birth date, as of the day today, of the cast member
// with nhsNumber, for events in another's record tied to it.
func castBirth(today time.Time, nhsNumber string) (gp.Date, bool) {
	for _, m := range cast {
		if m.nhsNumber == nhsNumber {
			return birthDate(today, m.age, m.birthdayOffset), true
		}
	}
	return gp.Date{}, false
}

// Login is a cast member who can sign in to the sandbox NHS login.
type Login struct {
	NHSNumber string
	// Level is their identity proofing level, "P9" or "P5".
	Level string
}

// Logins lists the cast members with an NHS login (children and George have
// none: they are reached through proxy access).
func Logins() []Login {
	return []Login{
		{"9990000018", "P9"}, // Amara
		{"9990000034", "P9"}, // Priya
		{"9990000050", "P9"}, // Rhys
		{"9990000069", "P5"}, // Tom
	}
}

// StaffMember is a sandbox staff user.
type StaffMember struct {
	ID, GivenName, FamilyName string
	// Role is "site_admin" or "messaging" (for Practice), or "national_admin".
	Role     string
	Practice string
}

// Staff lists the sandbox staff: a site admin for each practice, someone
// who writes to the pilot practice's patients, and one national admin.
func Staff() []StaffMember {
	return []StaffMember{
		{"staff-site-z00001", "Sam", "Patel", "site_admin", PilotPractice},
		{"staff-site-z00002", "Ceri", "Jones", "site_admin", NonPilotPractice},
		{"staff-msg-z00001", "Jo", "Hughes", "messaging", PilotPractice},
		{"staff-national", "Alex", "Morgan", "national_admin", ""},
	}
}

// BirthDate is the birth date a sandbox seeded on the day today gives the
// cast member with nhsNumber: what an NHS login account standing in for
// theirs must release for sign-in to match their record.
func BirthDate(today time.Time, nhsNumber string) (gp.Date, bool) { return castBirth(today, nhsNumber) }

// Cast lists the NHS numbers of the whole sandbox cast, for exporting the
// sandbox to another GP system (the FHIR test server's seed).
func Cast() []string {
	out := make([]string, len(cast))
	for i, m := range cast {
		out[i] = m.nhsNumber
	}
	return out
}
