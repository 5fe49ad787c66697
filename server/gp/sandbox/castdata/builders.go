package castdata

import (
	"strings"

	"github.com/nhs-companion/companion/server/gp"
)

// Builders keep the records below readable.

func sct(code, display string) gp.Coding {
	return gp.Coding{System: gp.SNOMED, Code: code, Display: display}
}

func codes(cs ...gp.Coding) []gp.Coding { return cs }

func allergy(substance gp.Coding, reactions []gp.Coding, severity string, onset, recorded gp.Date) gp.Allergy {
	return gp.Allergy{Substance: substance, Reactions: reactions, Severity: severity, Onset: onset, Recorded: recorded, Status: "active"}
}

func repeat(drug gp.Coding, dose, quantity string, started, lastIssued gp.Date) gp.Medicine {
	return gp.Medicine{Drug: drug, Name: drug.Display, Dose: dose, Quantity: quantity, Kind: "repeat", Status: "current",
		Started: started, LastIssued: lastIssued}
}

func acute(drug gp.Coding, dose, quantity string, issued gp.Date, courseDays int) gp.Medicine {
	return gp.Medicine{Drug: drug, Name: drug.Display, Dose: dose, Quantity: quantity, Kind: "acute", Status: "past",
		Started: issued, Ended: gp.DateOf(midnight(issued).AddDate(0, 0, courseDays)), LastIssued: issued}
}

// stopped is m, ended.
func stopped(m gp.Medicine, ended, lastIssued gp.Date) gp.Medicine {
	m.Status, m.Ended, m.LastIssued = "past", ended, lastIssued
	return m
}

func active(code gp.Coding, significance string, onset gp.Date) gp.Problem {
	return gp.Problem{Code: code, Status: "active", Significance: significance, Onset: onset}
}

func resolved(code gp.Coding, significance string, onset, ended gp.Date) gp.Problem {
	return gp.Problem{Code: code, Status: "past", Significance: significance, Onset: onset, Ended: ended}
}

func imm(vaccine gp.Coding, dose string, date gp.Date, batch string) gp.Immunisation {
	return gp.Immunisation{Vaccine: vaccine, Dose: dose, Date: date, Batch: batch}
}

func panel(code gp.Coding, date gp.Date, comment string, values ...gp.ResultValue) gp.TestResult {
	return gp.TestResult{Panel: code, Date: date, Comment: comment, Values: values}
}

// num is a numeric result with its reference range and the laboratory's
// flag, written out (not computed) so tests can check the two agree.
func num(test gp.Coding, value, unit, low, high, flag string) gp.ResultValue {
	return gp.ResultValue{Test: test, Value: value, Unit: unit, Low: low, High: high, Flag: flag}
}

func text(test gp.Coding, result, rangeText, flag, comment string) gp.ResultValue {
	return gp.ResultValue{Test: test, Text: result, RangeText: rangeText, Flag: flag, Comment: comment}
}

func consult(date gp.Date, clinician, role, location string, entries ...gp.Entry) gp.Consultation {
	return gp.Consultation{Date: date, Clinician: clinician, Role: role, Location: location, Entries: entries}
}

func entry(heading, text string) gp.Entry { return gp.Entry{Heading: heading, Text: text} }

func coded(heading, text string, code gp.Coding) gp.Entry {
	return gp.Entry{Heading: heading, Text: text, Code: &code}
}

func letter(title string, date gp.Date, author string, body ...string) gp.Document {
	return gp.Document{Title: title, Type: outpatientLetter, Date: date, Author: author,
		ContentType: "text/plain", Body: []byte(strings.Join(body, "\n") + "\n")}
}

func pdf(title string, typ gp.Coding, date gp.Date, author string, body ...string) gp.Document {
	return gp.Document{Title: title, Type: typ, Date: date, Author: author,
		ContentType: "application/pdf", Body: pdfDocument(title, body)}
}

// The practices' clinicians, as in their diaries.
const (
	drMarsh    = "Dr Helen Marsh"
	drNowak    = "Dr Tomasz Nowak"
	nurseGrace = "Grace Adeyemi"
	hcaLiam    = "Liam Carter"
	drMorgan   = "Dr Siân Morgan"
	roleGP     = "GP"
	roleNurse  = "Practice nurse"
	roleHCA    = "Healthcare assistant"
	riverside  = "Riverside Medical Centre (sandbox)"
	glanTaf    = "Meddygfa Glan Taf (sandbox)"
	telephone  = "Telephone"
	homeVisit  = "Home visit"
)
