// Package record is reading the GP health record: what a viewer at their
// access level may see (sensitive items are already withheld by the gate),
// its sections and documents, the FHIR export, and the audit trail of each
// viewing.
//
// It is server-only, and must not import the HTTP package (server) or app/ui.
package record

import (
	"context"
	"errors"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/audit"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/fhir"
	"github.com/nhs-companion/companion/server/flags"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/monitoring"
)

// Refusals.
var (
	// ErrNoSection: the record has no such section, or not for this viewer.
	ErrNoSection = fault.New(fault.NotFound, "section_not_found", "error.notFound")
	// ErrNoDocument: the record has no such document for this viewer.
	ErrNoDocument = fault.New(fault.NotFound, "document_not_found", "error.notFound")
)

// Need is what reading the record needs: high proofing, the record flag
// for the patient's practice, and for a proxy at least the summary.
var Need = access.Need{Feature: flags.Record, Permission: nhs.PermRecordSummary, P9: true}

// ExportNeed is the same for the FHIR download, under its own flag.
var ExportNeed = access.Need{Feature: flags.FHIRExport, Permission: nhs.PermRecordSummary, P9: true}

// Service reads records. Its fields are set at wiring time.
type Service struct {
	Audit *audit.Trail
}

func codeOf(c gp.Coding) string { return c.Code }

// View is the wire form of what the viewer may see (rec is already
// filtered by access).
func View(p *access.Patient, rec gp.Record, level access.Level) *api.Record {
	sum := p.Summary()
	v := &api.Record{
		Level: string(level), Patient: sum.Name(), BirthDate: sum.BirthDate.String(),
		PatientID: p.ID(),
		Counts: map[string]int{
			"allergies": len(rec.Allergies), "medicines": len(rec.Medicines), "problems": len(rec.Problems),
			"immunisations": len(rec.Immunisations), "results": len(rec.TestResults),
			"consultations": len(rec.Consultations), "documents": len(rec.Documents),
		},
	}
	for _, a := range rec.Allergies {
		var reactions []string
		for _, r := range a.Reactions {
			reactions = append(reactions, r.Display)
		}
		v.Allergies = append(v.Allergies, api.RecordAllergy{ID: a.ID, Substance: a.Substance.Display, Code: codeOf(a.Substance),
			Reactions: reactions, Severity: a.Severity, Onset: a.Onset.String(), Recorded: a.Recorded.String(), Status: a.Status})
	}
	for _, m := range rec.Medicines {
		v.Medicines = append(v.Medicines, api.RecordMedicine{ID: m.ID, Name: m.Name, Code: codeOf(m.Drug), Dose: m.Dose, Quantity: m.Quantity,
			Kind: m.Kind, Status: m.Status, Started: m.Started.String(), Ended: m.Ended.String(), LastIssued: m.LastIssued.String()})
	}
	for _, x := range rec.Problems {
		v.Problems = append(v.Problems, api.RecordProblem{ID: x.ID, Name: x.Code.Display, Code: codeOf(x.Code), Status: x.Status,
			Significance: x.Significance, Onset: x.Onset.String(), Ended: x.Ended.String()})
	}
	for _, im := range rec.Immunisations {
		v.Immunisations = append(v.Immunisations, api.RecordImmunisation{ID: im.ID, Vaccine: im.Vaccine.Display, Code: codeOf(im.Vaccine),
			Dose: im.Dose, Date: im.Date.String(), Batch: im.Batch})
	}
	for _, t := range rec.TestResults {
		res := api.RecordResult{ID: t.ID, Panel: t.Panel.Display, Date: t.Date.String(), Comment: t.Comment, Values: []api.ResultValue{}}
		for _, x := range t.Values {
			res.Values = append(res.Values, api.ResultValue{Test: x.Test.Display, Value: x.Value, Text: x.Text, Unit: x.Unit,
				Low: x.Low, High: x.High, RangeText: x.RangeText, Flag: x.Flag, Comment: x.Comment})
		}
		v.Results = append(v.Results, res)
	}
	for _, c := range rec.Consultations {
		con := api.RecordConsultation{ID: c.ID, Date: c.Date.String(), Clinician: c.Clinician, Role: c.Role, Location: c.Location, Entries: []api.RecordEntry{}}
		for _, e := range c.Entries {
			con.Entries = append(con.Entries, api.RecordEntry{Heading: e.Heading, Text: e.Text})
		}
		v.Consultations = append(v.Consultations, con)
	}
	for _, d := range rec.Documents {
		v.Documents = append(v.Documents, documentView(d, false))
	}
	return v
}

func documentView(d gp.Document, body bool) api.RecordDocument {
	out := api.RecordDocument{ID: d.ID, Title: d.Title, Type: d.Type.Display, Date: d.Date.String(), Author: d.Author, ContentType: d.ContentType}
	if body && d.ContentType == "text/plain" && utf8.Valid(d.Body) {
		out.Text = string(d.Body)
	}
	return out
}

// onlySection keeps one section of the view (the others' counts stay).
func onlySection(v *api.Record, section string) {
	keep := func(name string) bool { return section == "print" || section == name }
	if !keep("allergies") {
		v.Allergies = nil
	}
	if !keep("medicines") {
		v.Medicines = nil
	}
	if !keep("problems") {
		v.Problems = nil
	}
	if !keep("immunisations") {
		v.Immunisations = nil
	}
	if !keep("results") {
		v.Results = nil
	}
	if !keep("consultations") {
		v.Consultations = nil
	}
	if !keep("documents") {
		v.Documents = nil
	}
}

// SectionAllowed reports whether a viewer at level may open section.
func SectionAllowed(section string, level access.Level) bool {
	if section == "print" {
		return true
	}
	if level == access.SummaryOnly {
		return slices.Contains(api.SummarySections, section)
	}
	return slices.Contains(api.RecordSections, section)
}

// viewed audits a read of the record before it is shown; an error means
// it must not be.
func (s *Service) viewed(ctx context.Context, p *access.Patient, action, what string) error {
	return s.Audit.Access(ctx, p.Event(action, "success", what, ""))
}

// Whole is everything the viewer may see, for the API.
func (s *Service) Whole(ctx context.Context, p *access.Patient) (*api.Record, error) {
	rec, level, err := p.Record(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.viewed(ctx, p, "view_record", "api"); err != nil {
		return nil, err
	}
	return View(p, rec, level), nil
}

// Page is the record page for section ("" for the index, "print" for
// everything): the view with only that section's entries (every section's
// count stays), or ErrNoSection when the viewer may not open it.
func Page(p *access.Patient, rec gp.Record, level access.Level, section string) (*api.Record, error) {
	if section != "" && !SectionAllowed(section, level) {
		return nil, ErrNoSection
	}
	v := View(p, rec, level)
	v.Section = section
	if section == "" {
		onlySection(v, "none")
	} else {
		onlySection(v, section)
	}
	return v, nil
}

// Section is the record's index page (section "") or one section, with the
// export link when that is on, audited.
func (s *Service) Section(ctx context.Context, p *access.Patient, section string) (*api.Record, error) {
	rec, level, err := p.Record(ctx)
	if err != nil {
		return nil, err
	}
	v, err := Page(p, rec, level, section)
	if err != nil {
		return nil, err
	}
	v.Export = p.Flag(ctx, flags.FHIRExport)
	if section == "" {
		section = "index"
	}
	if err := s.viewed(ctx, p, "view_record", section); err != nil {
		return nil, err
	}
	return v, nil
}

// Document is one document the viewer may see, with the record's page
// around it (for a text document's page) and the file itself.
func (s *Service) Document(ctx context.Context, p *access.Patient, id string) (*api.Record, gp.Document, error) {
	rec, level, err := p.Record(ctx)
	if err != nil {
		return nil, gp.Document{}, err
	}
	for _, d := range rec.Documents {
		if d.ID != id {
			continue
		}
		v := View(p, rec, level)
		onlySection(v, "none")
		v.Section = "documents"
		doc := documentView(d, true)
		v.Document = &doc
		if err := s.viewed(ctx, p, "view_record", "document"); err != nil {
			return nil, gp.Document{}, err
		}
		return v, d, nil
	}
	return nil, gp.Document{}, ErrNoDocument
}

// FHIR is what the viewer may see of the record as a FHIR R4 Bundle of UK
// Core resources, filtered exactly as the pages are.
func (s *Service) FHIR(ctx context.Context, p *access.Patient) ([]byte, error) {
	rec, _, err := p.Record(ctx)
	if err != nil {
		return nil, err
	}
	opt := fhir.Options{Now: time.Now(), Practice: p.Summary().Practice}
	// Remote-monitoring readings go with it when the viewer may see them
	// (the practice's flag, the monitoring permission for a proxy).
	switch m, err := p.Narrow(ctx, monitoring.Need); {
	case err == nil:
		if opt.Readings, err = m.Monitoring().Readings(ctx, time.Time{}); err != nil {
			return nil, err
		}
		for i := range opt.Readings {
			opt.Readings[i].SubmittedBy = "" // an internal ID, of no use in a download
		}
	case errors.Is(err, fault.ErrUnavailable):
		return nil, err
	}
	body, err := fhir.Bundle(rec, opt)
	if err != nil {
		return nil, err
	}
	if err := s.viewed(ctx, p, "export_record", "fhir"); err != nil {
		return nil, err
	}
	return body, nil
}
