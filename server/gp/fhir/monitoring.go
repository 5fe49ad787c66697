package fhir

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/fhir"
	"github.com/nhs-companion/companion/server/gp"
)

// A remote-monitoring reading is a vital-signs Observation in the record
// export's shape (server/fhir.ReadingObservation: LOINC code, UCUM unit,
// category and profile from gp.VitalSign.Measure; interpretation from the
// reading's attention; who sent it as the submitted-by extension), tagged
// in meta.tag as a home reading. Readings lists only tagged Observations:
// a GP system holds measurements its clinicians took with the same LOINC
// codes, and those are the record's, not readings the patient sent judged
// against their plan. A reading's practice is the one the patient is
// registered at: a GP record moves with its patient, and an Observation
// has no element for the practice that holds it.

// readingCodes is the search for every sign's codes.
var readingCodes = func() string {
	var codes []string
	for _, s := range gp.VitalSigns {
		m, _ := s.Measure()
		for _, c := range append([]gp.Coding{m.Code}, m.Also...) {
			codes = append(codes, c.System+"|"+c.Code)
		}
	}
	return strings.Join(codes, ",")
}()

// RecordReading stores a reading of a patient registered at
// r.PracticeODS as an Observation: ErrNotFound for a patient not
// registered there or a sign that is none of gp.VitalSigns.
func (s *System) RecordReading(ctx context.Context, r gp.Reading) (gp.Reading, error) {
	const op = "record reading"
	if !nhs.ValidNumber(r.PatientNHS) {
		return gp.Reading{}, fmt.Errorf("%s: %w", op, gp.ErrNotFound)
	}
	if err := r.Check(); err != nil {
		return gp.Reading{}, fmt.Errorf("%s: %w", op, err)
	}
	p, pid, err := s.patient(ctx, r.PatientNHS)
	if err != nil {
		return gp.Reading{}, fmt.Errorf("%s: %w", op, err)
	}
	if p.PracticeODS == "" || p.PracticeODS != r.PracticeODS {
		return gp.Reading{}, fmt.Errorf("%s: patient at the practice: %w", op, gp.ErrNotFound)
	}
	ctx = withPractice(ctx, r.PracticeODS)
	info, err := s.practice(ctx, r.PracticeODS)
	if err != nil {
		return gp.Reading{}, fmt.Errorf("%s: %w", op, err)
	}
	if r.Submitted.IsZero() {
		r.Submitted = s.now()
	}
	obs, err := fhir.ReadingObservation(r, ref("Patient", pid))
	if err != nil {
		return gp.Reading{}, fmt.Errorf("%s: %w", op, err)
	}
	var made json.RawMessage
	if _, err := s.c.do(ctx, "POST", s.c.base+"/Observation", nil, obs, &made); err != nil {
		return gp.Reading{}, fmt.Errorf("%s: %w", op, err)
	}
	out, ok, err := fhir.ReadReading(made)
	if err != nil || !ok || out.ID == "" {
		return gp.Reading{}, fmt.Errorf("%s: %w: the answer is no reading (%v)", op, gp.ErrUnavailable, err)
	}
	return inPlace(out, r.PatientNHS, r.PracticeODS, info.Location()), nil
}

// Readings lists the patient's readings taken at or after since, newest
// taken first: ErrNotFound for a patient the GP system does not have.
func (s *System) Readings(ctx context.Context, patientNHS string, since time.Time) ([]gp.Reading, error) {
	const op = "readings"
	if !nhs.ValidNumber(patientNHS) {
		return nil, fmt.Errorf("%s: %w", op, gp.ErrNotFound)
	}
	p, pid, err := s.patient(ctx, patientNHS)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	loc := gp.UK
	if info, err := s.practice(ctx, p.PracticeODS); err == nil {
		loc = info.Location()
	}
	q := url.Values{"subject": {ref("Patient", pid)}, "code": {readingCodes}, "_sort": {"-date"}, "_count": {"200"}}
	if !since.IsZero() {
		q.Set("date", "ge"+since.UTC().Format(millis))
	}
	found, err := searchAll[json.RawMessage](ctx, s.c, "Observation", q)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	out := []gp.Reading{}
	for _, raw := range found {
		if !about(raw, pid) {
			continue // a server that ignores the parameter answers with everyone's
		}
		r, ok, err := fhir.ReadReading(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w: %w", op, gp.ErrUnavailable, err)
		}
		// The search's date is the server's to compare; the port's since
		// is exact.
		if ok && !r.Taken.Before(since) {
			out = append(out, inPlace(r, patientNHS, p.PracticeODS, loc))
		}
	}
	slices.SortFunc(out, func(a, b gp.Reading) int {
		return cmp.Or(b.Taken.Compare(a.Taken), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// inPlace gives a reading read back its patient and practice, and its
// times in the practice's zone.
func inPlace(r gp.Reading, patientNHS, ods string, loc *time.Location) gp.Reading {
	r.PatientNHS, r.PracticeODS = patientNHS, ods
	r.Taken = r.Taken.In(loc)
	if !r.Submitted.IsZero() {
		r.Submitted = r.Submitted.In(loc)
	}
	return r
}
