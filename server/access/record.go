package access

import (
	"context"

	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/gp"
)

// Level is how much of a record a viewer may see.
type Level string

// Record access levels.
const (
	// Full is the detailed coded record: the patient at P9, or a proxy with
	// the full-record permission.
	Full Level = "full"
	// SummaryOnly is allergies, medicines and immunisations: a proxy with the
	// record-summary permission.
	SummaryOnly Level = "summary"
	// NoAccess is nothing at all.
	NoAccess Level = "none"
)

// RecordLevel is how much of the record this viewer may see.
func (p *Patient) RecordLevel() Level {
	switch {
	case p.actor.ProofingLevel != "P9":
		return NoAccess
	case p.rel == nil || p.rel.Has(nhs.PermFullRecord):
		return Full
	case p.rel.Has(nhs.PermRecordSummary):
		return SummaryOnly
	}
	return NoAccess
}

// Record returns what the viewer may see of the patient's record: nothing
// the practice marked sensitive, whoever is looking, and for a summary
// viewer only allergies, medicines and immunisations. It panics unless the
// patient was authorised for the record.
func (p *Patient) Record(ctx context.Context) (gp.Record, Level, error) {
	p.granted(nhs.PermRecordSummary)
	level := p.RecordLevel()
	if level == NoAccess {
		return gp.Record{}, level, ErrForbidden
	}
	rec, err := p.gate.GP.Record(ctx, p.nhs)
	if err != nil {
		return gp.Record{}, level, err
	}
	return Filter(rec, level), level, nil
}

// Filter removes what a viewer at level may not see. Sensitive items go
// for everyone; a summary keeps allergies, medicines and immunisations.
func Filter(rec gp.Record, level Level) gp.Record {
	out := gp.Record{Demographics: rec.Demographics}
	if level == NoAccess {
		return out
	}
	out.Allergies = keep(rec.Allergies, func(x gp.Allergy) bool { return !x.Sensitive })
	out.Medicines = keep(rec.Medicines, func(x gp.Medicine) bool { return !x.Sensitive })
	out.Immunisations = keep(rec.Immunisations, func(x gp.Immunisation) bool { return !x.Sensitive })
	if level == SummaryOnly {
		return out
	}
	out.Problems = keep(rec.Problems, func(x gp.Problem) bool { return !x.Sensitive })
	out.TestResults = keep(rec.TestResults, func(x gp.TestResult) bool { return !x.Sensitive })
	out.Consultations = keep(rec.Consultations, func(x gp.Consultation) bool { return !x.Sensitive })
	out.Documents = keep(rec.Documents, func(x gp.Document) bool { return !x.Sensitive })
	return out
}

func keep[T any](in []T, ok func(T) bool) []T {
	out := make([]T, 0, len(in))
	for _, x := range in {
		if ok(x) {
			out = append(out, x)
		}
	}
	return out
}
