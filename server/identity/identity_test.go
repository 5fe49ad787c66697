package identity_test

import (
	"errors"
	"testing"

	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/identity"
)

var amara = gp.Patient{NHSNumber: "9990000018", GivenName: "Amara", FamilyName: "Okafor", BirthDate: gp.Date{Year: 1988, Month: 10, Day: 22}}

func TestMatchNeedsNHSNumberAndBirthDate(t *testing.T) {
	ok := identity.Claim{NHSNumber: "9990000018", BirthDate: amara.BirthDate, FamilyName: "Okafor"}
	if res, err := identity.Match(ok, amara); err != nil || res.NameDiffers {
		t.Fatalf("the same person: %+v %v", res, err)
	}
	for name, c := range map[string]identity.Claim{
		"another birth date": {NHSNumber: "9990000018", BirthDate: gp.Date{Year: 1988, Month: 10, Day: 23}, FamilyName: "Okafor"},
		"another year":       {NHSNumber: "9990000018", BirthDate: gp.Date{Year: 1989, Month: 10, Day: 22}, FamilyName: "Okafor"},
		"no birth date":      {NHSNumber: "9990000018", FamilyName: "Okafor"},
		"another NHS number": {NHSNumber: "9990000026", BirthDate: amara.BirthDate, FamilyName: "Okafor"},
		"no NHS number":      {BirthDate: amara.BirthDate, FamilyName: "Okafor"},
	} {
		if _, err := identity.Match(c, amara); !errors.Is(err, identity.ErrMismatch) {
			t.Errorf("%s: %v, want identity_mismatch", name, err)
		}
	}
	if _, err := identity.Match(ok, gp.Patient{NHSNumber: "9990000018", FamilyName: "Okafor"}); !errors.Is(err, identity.ErrMismatch) {
		t.Errorf("a record with no birth date matched: %v", err)
	}
}

func TestFamilyNameIsAWarningAfterNormalising(t *testing.T) {
	rec := gp.Patient{NHSNumber: "9990000042", FamilyName: "O'Brien-Smith", BirthDate: amara.BirthDate}
	for _, same := range []string{"O'Brien-Smith", "o’brien smith", "OBRIEN SMITH", "O\u02BCBrien\u2013Smith", " obriensmith "} {
		res, err := identity.Match(identity.Claim{NHSNumber: rec.NHSNumber, BirthDate: rec.BirthDate, FamilyName: same}, rec)
		if err != nil || res.NameDiffers {
			t.Errorf("%q: %+v %v, want the same name", same, res, err)
		}
	}
	for _, other := range []string{"Brien-Smith", "O'Brian-Smith", "Óbrien-Smith"} {
		res, err := identity.Match(identity.Claim{NHSNumber: rec.NHSNumber, BirthDate: rec.BirthDate, FamilyName: other}, rec)
		if err != nil || !res.NameDiffers {
			t.Errorf("%q: %+v %v, want a warning and no refusal", other, res, err)
		}
	}
	if identity.Normal("STRASSE") != identity.Normal("straße") {
		t.Error("case folding misses ß")
	}
	if identity.Normal("Sio\u0301n") != identity.Normal("Sión") {
		t.Error("decomposed and composed accents differ")
	}
}
