package gptest

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/gp"
)

// RecordFixture names a health record the system under test holds.
type RecordFixture struct {
	// Patient has a full record: every section holds at least one item.
	Patient string
	// System, if set, gives the part a system of its own: Run calls it
	// with the part's subtest instead of using its own system.
	System func(t *testing.T) gp.System
	// Unsupported, if set, declares that the adapter does not offer this
	// part, and why; Run then skips it with that reason, and the other
	// fields must be left empty.
	Unsupported string
}

// runRecords checks the health-record part of the port.
func runRecords(t *testing.T, sys gp.System, fx RecordFixture) {
	ctx := context.Background()

	t.Run("RecordFound", func(t *testing.T) {
		rec, err := sys.Record(ctx, fx.Patient)
		if err != nil {
			t.Fatalf("Record(fixture): %v", err)
		}
		d := rec.Demographics
		if d.NHSNumber != fx.Patient || d.GivenName == "" || d.FamilyName == "" || d.BirthDate.IsZero() || d.PracticeODS == "" {
			t.Errorf("Record: incomplete demographics %+v", d)
		}
		sections := map[string]int{
			"allergies": len(rec.Allergies), "medicines": len(rec.Medicines), "problems": len(rec.Problems),
			"immunisations": len(rec.Immunisations), "test results": len(rec.TestResults),
			"consultations": len(rec.Consultations), "documents": len(rec.Documents),
		}
		for name, n := range sections {
			if n == 0 {
				t.Errorf("Record: the fixture's %s section is empty", name)
			}
		}
		CheckRecord(t, rec)
	})

	t.Run("RecordIsStable", func(t *testing.T) {
		a, errA := sys.Record(ctx, fx.Patient)
		b, errB := sys.Record(ctx, fx.Patient)
		if errA != nil || errB != nil {
			t.Fatalf("Record: %v, %v", errA, errB)
		}
		if ia, ib := ItemIDs(a), ItemIDs(b); strings.Join(ia, ",") != strings.Join(ib, ",") {
			t.Errorf("item IDs changed between two reads:\n%v\n%v", ia, ib)
		}
	})

	t.Run("RecordNotFound", func(t *testing.T) {
		for _, n := range []string{unregistered, "9990000019", "not-a-number", ""} {
			_, err := sys.Record(ctx, n)
			if !errors.Is(err, gp.ErrNotFound) {
				t.Errorf("Record(%q): got %v, want ErrNotFound", n, err)
				continue
			}
			if n != "" && strings.Contains(err.Error(), n) {
				t.Errorf("Record(%q): the error names the NHS number: %v", n, err)
			}
		}
	})
}

// CheckRecord checks what the port promises of any record: every item has
// an ID, unique in the record and holding no NHS number; every coding is a
// SNOMED CT concept with a preferred term; results are numbers with
// numeric ranges, or words; documents are letters or PDFs with a body.
// Adapters' own tests may call it on records the suite does not read.
func CheckRecord(tb testing.TB, rec gp.Record) {
	tb.Helper()
	seen := map[string]bool{}
	for _, id := range ItemIDs(rec) {
		switch {
		case id == "":
			tb.Errorf("an item has no ID")
		case seen[id]:
			tb.Errorf("ID %q is not unique in the record", id)
		case HasNHSNumber(id):
			tb.Errorf("ID %q holds an NHS number", id)
		}
		seen[id] = true
	}
	for _, c := range Codings(rec) {
		if err := checkCoding(c); err != nil {
			tb.Errorf("coding %+v: %v", c, err)
		}
	}
	for _, r := range rec.TestResults {
		if len(r.Values) == 0 {
			tb.Errorf("test result %s has no values", r.ID)
		}
		for _, v := range r.Values {
			if err := checkValue(v); err != nil {
				tb.Errorf("test result %s, %s: %v", r.ID, v.Test.Display, err)
			}
		}
	}
	for _, d := range rec.Documents {
		switch {
		case d.Title == "" || d.Date.IsZero() || len(d.Body) == 0:
			tb.Errorf("document %s: no title, date or body", d.ID)
		case d.ContentType == "application/pdf" && !bytes.HasPrefix(d.Body, []byte("%PDF-")):
			tb.Errorf("document %s: not a PDF", d.ID)
		case d.ContentType != "application/pdf" && d.ContentType != "text/plain":
			tb.Errorf("document %s: content type %q", d.ID, d.ContentType)
		}
	}
}

// ItemIDs lists the IDs of every item in the record, section by section.
func ItemIDs(rec gp.Record) []string {
	var ids []string
	for _, x := range rec.Allergies {
		ids = append(ids, x.ID)
	}
	for _, x := range rec.Medicines {
		ids = append(ids, x.ID)
	}
	for _, x := range rec.Problems {
		ids = append(ids, x.ID)
	}
	for _, x := range rec.Immunisations {
		ids = append(ids, x.ID)
	}
	for _, x := range rec.TestResults {
		ids = append(ids, x.ID)
	}
	for _, x := range rec.Consultations {
		ids = append(ids, x.ID)
	}
	for _, x := range rec.Documents {
		ids = append(ids, x.ID)
	}
	return ids
}

// Codings lists every coded concept in the record.
func Codings(rec gp.Record) []gp.Coding {
	var cs []gp.Coding
	for _, a := range rec.Allergies {
		cs = append(append(cs, a.Substance), a.Reactions...)
	}
	for _, m := range rec.Medicines {
		cs = append(cs, m.Drug)
	}
	for _, p := range rec.Problems {
		cs = append(cs, p.Code)
	}
	for _, i := range rec.Immunisations {
		cs = append(cs, i.Vaccine)
	}
	for _, r := range rec.TestResults {
		cs = append(cs, r.Panel)
		for _, v := range r.Values {
			cs = append(cs, v.Test)
		}
	}
	for _, c := range rec.Consultations {
		for _, e := range c.Entries {
			if e.Code != nil {
				cs = append(cs, *e.Code)
			}
		}
	}
	for _, d := range rec.Documents {
		cs = append(cs, d.Type)
	}
	return cs
}

// HasNHSNumber reports whether s holds a valid NHS number: ten digits in a
// row that pass the check. UUIDs are left out first: one in eleven runs of
// ten digits passes the check, and a random UUID has such runs often
// enough to fail a suite by chance, while no NHS number can be read off
// one.
func HasNHSNumber(s string) bool {
	s = uuidLike.ReplaceAllString(s, "-")
	for i := 0; i+10 <= len(s); i++ {
		if nhs.ValidNumber(s[i : i+10]) {
			return true
		}
	}
	return false
}

// checkCoding checks that c is a SNOMED CT concept id with a term: 6 to 18
// digits, a concept's partition ("00" or "10") and a valid Verhoeff check
// digit, so a mistyped code cannot pass.
func checkCoding(c gp.Coding) error {
	switch {
	case c.System != gp.SNOMED:
		return errors.New("not SNOMED CT")
	case c.Display == "":
		return errors.New("no term")
	case len(c.Code) < 6 || len(c.Code) > 18 || strings.Trim(c.Code, "0123456789") != "" || c.Code[0] == '0':
		return errors.New("not a SNOMED CT identifier")
	}
	if p := c.Code[len(c.Code)-3 : len(c.Code)-1]; p != "00" && p != "10" {
		return errors.New("not a concept identifier (partition " + p + ")")
	}
	if !verhoeff(c.Code) {
		return errors.New("check digit is wrong")
	}
	return nil
}

// The Verhoeff scheme's tables, which SNOMED CT identifiers' check digits use.
var (
	verhoeffD = [10][10]int{
		{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5},
		{2, 3, 4, 0, 1, 7, 8, 9, 5, 6}, {3, 4, 0, 1, 2, 8, 9, 5, 6, 7},
		{4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
		{6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3},
		{8, 7, 6, 5, 9, 3, 2, 1, 0, 4}, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0},
	}
	verhoeffP = [8][10]int{
		{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4},
		{5, 8, 0, 3, 7, 9, 6, 1, 4, 2}, {8, 9, 1, 6, 0, 4, 3, 5, 2, 7},
		{9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
		{2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8},
	}
)

// verhoeff reports whether the digits end in a valid Verhoeff check digit.
func verhoeff(digits string) bool {
	c := 0
	for i := 0; i < len(digits); i++ {
		c = verhoeffD[c][verhoeffP[i%8][digits[len(digits)-1-i]-'0']]
	}
	return c == 0
}

// checkValue checks one value of a panel: a number, or words, never
// neither; numeric reference bounds.
func checkValue(v gp.ResultValue) error {
	if v.Value == "" && v.Text == "" {
		return errors.New("no value and no text")
	}
	for name, s := range map[string]string{"value": v.Value, "low": v.Low, "high": v.High} {
		if s == "" {
			continue
		}
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return errors.New(name + " " + strconv.Quote(s) + " is not a number")
		}
	}
	switch v.Flag {
	case "", "low", "high", "abnormal":
	default:
		return errors.New("unknown flag " + strconv.Quote(v.Flag))
	}
	return nil
}

// uuidLike matches a UUID in its usual spelling.
var uuidLike = regexp.MustCompile(`(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
