// Package identity matches the person NHS login vouches for to the GP
// system's patient, as IM1 linkage does: the NHS number and the date of
// birth must both agree, and the family name is compared after normalising
// case, spaces, hyphens and apostrophes, as a warning signal rather than a
// block (names change at marriage, and are spelt differently between
// systems, far more often than they point at the wrong person).
//
// It is the wrong-patient control of the hazard log (H1): sign-in refuses a
// person whose date of birth differs from their GP record, and the access
// gate applies the same check to every patient it authorises, the person's
// own record and each proxy relationship's patient.
//
// It is server-only: app/... must never import it.
package identity

import (
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/gp"
)

// ErrMismatch: the person does not match the GP record, so no GP data is
// shown and the practice is told.
var ErrMismatch = fault.New(fault.Forbidden, "identity_mismatch", "error.identityMismatch")

// Claim is who NHS login (or a relationship's record) says someone is.
type Claim struct {
	NHSNumber  string
	BirthDate  gp.Date
	FamilyName string
}

// Result is a match that passed, with any warning.
type Result struct {
	// NameDiffers: the family names differ after normalising.
	NameDiffers bool
}

// Match compares c with the GP record rec. It returns ErrMismatch when the
// NHS numbers or the dates of birth differ, or either date is missing:
// without both, nothing says this record is this person's.
func Match(c Claim, rec gp.Patient) (Result, error) {
	if c.NHSNumber == "" || rec.NHSNumber != c.NHSNumber || c.BirthDate.IsZero() || rec.BirthDate != c.BirthDate {
		return Result{}, ErrMismatch
	}
	return Result{NameDiffers: c.FamilyName != "" && Normal(c.FamilyName) != Normal(rec.FamilyName)}, nil
}

// fold is Unicode case folding ("ß" and "SS" agree, as do "Ó" and "ó").
var fold = cases.Fold()

// Normal is a name as IM1 linkage compares it: composed (NFC), case folded,
// without spaces, hyphens, dashes or apostrophes of any kind, so "O'Brien",
// "o’brien" and "OBrien", or "Smith-Jones" and "smith jones", agree.
// Accents are kept: "Sión" and "Sion" may be different people.
func Normal(name string) string {
	name = fold.String(norm.NFC.String(name))
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.Is(unicode.Pd, r) || isApostrophe(r) {
			return -1
		}
		return r
	}, name)
}

func isApostrophe(r rune) bool {
	switch r {
	case '\'', '`', '\u00B4', '\u2018', '\u2019', '\u201B', '\u02BC', '\u02B9', '\u2032', '\uFF07':
		return true
	}
	return false
}
