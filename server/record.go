package server

import (
	"net/http"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/app/ui"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/fhir"
	"github.com/nhs-companion/companion/server/flags"
	"github.com/nhs-companion/companion/server/gp"
)

// Record errors.
var (
	// ErrNoSection: the record has no such section, or not for this viewer.
	ErrNoSection = &Error{Status: http.StatusNotFound, Code: "section_not_found", MessageID: "error.notFound"}
	// ErrNoDocument: the record has no such document for this viewer.
	ErrNoDocument = &Error{Status: http.StatusNotFound, Code: "document_not_found", MessageID: "error.notFound"}
)

// recordNeed is what reading the record needs: high proofing, the record
// flag for the patient's practice, and for a proxy at least the summary.
var recordNeed = access.Need{Feature: flags.Record, Permission: nhs.PermRecordSummary, P9: true}

// exportNeed is the same for the FHIR download, under its own flag.
var exportNeed = access.Need{Feature: flags.FHIRExport, Permission: nhs.PermRecordSummary, P9: true}

func codeOf(c gp.Coding) string { return c.Code }

// recordView is the wire form of what the viewer may see (rec is already
// filtered by access.Filter).
func recordView(p *access.Patient, rec gp.Record, level access.Level) *api.Record {
	sum := p.Summary()
	v := &api.Record{
		Level: string(level), Patient: sum.GivenName + " " + sum.FamilyName, BirthDate: sum.BirthDate.String(),
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

// sectionAllowed reports whether a viewer at level may open section.
func sectionAllowed(section string, level access.Level) bool {
	if section == "print" {
		return true
	}
	if level == access.SummaryOnly {
		return slices.Contains(api.SummarySections, section)
	}
	return slices.Contains(api.RecordSections, section)
}

// apiRecord answers GET /api/v1/patients/{pid}/record.
func (s *Server) apiRecord(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	rec, level, err := p.Record(r.Context())
	if err != nil {
		return err
	}
	s.auditPatient(r, p, "view_record", "success", "api")
	writeJSON(w, http.StatusOK, recordView(p, rec, level))
	return nil
}

// recordPage renders /record and /record/{section}.
func (s *Server) recordPage(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	section := r.PathValue("section")
	rec, level, err := p.Record(r.Context())
	if err != nil {
		return err
	}
	if section != "" && !sectionAllowed(section, level) {
		return ErrNoSection
	}
	v := recordView(p, rec, level)
	v.Section = section
	v.Export = p.Flag(r.Context(), flags.FHIRExport)
	if section != "" {
		onlySection(v, section)
	} else {
		onlySection(v, "none")
	}
	if section == "" {
		section = "index"
	}
	s.auditPatient(r, p, "view_record", "success", section)
	st := s.pageState(r)
	st.Record = v
	return s.Renderer.Render(w, r, http.StatusOK, st, ui.RecordPage)
}

// findDocument returns one of the documents the viewer may see.
func findDocument(r *http.Request, p *access.Patient) (gp.Document, *api.Record, error) {
	rec, level, err := p.Record(r.Context())
	if err != nil {
		return gp.Document{}, nil, err
	}
	id := r.PathValue("id")
	for _, d := range rec.Documents {
		if d.ID == id {
			return d, recordView(p, rec, level), nil
		}
	}
	return gp.Document{}, nil, ErrNoDocument
}

// documentPage renders /record/documents/{id}: a text document's words.
func (s *Server) documentPage(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	d, v, err := findDocument(r, p)
	if err != nil {
		return err
	}
	onlySection(v, "none")
	v.Section = "documents"
	doc := documentView(d, true)
	v.Document = &doc
	s.auditPatient(r, p, "view_record", "success", "document")
	st := s.pageState(r)
	st.Record = v
	return s.Renderer.Render(w, r, http.StatusOK, st, ui.RecordPage)
}

// documentFile answers /record/documents/{id}/file: the document itself.
func (s *Server) documentFile(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	d, _, err := findDocument(r, p)
	if err != nil {
		return err
	}
	s.auditPatient(r, p, "view_record", "success", "document")
	h := w.Header()
	h.Set("Content-Type", d.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(d.Body)))
	h.Set("Cache-Control", "no-store")
	ext := ".txt"
	if d.ContentType == "application/pdf" {
		ext = ".pdf"
	}
	h.Set("Content-Disposition", `attachment; filename="document`+ext+`"`)
	_, err = w.Write(d.Body)
	return err
}

// apiRecordFHIR answers GET /api/v1/patients/{pid}/record.fhir: what the
// viewer may see of the record as a FHIR R4 Bundle of UK Core resources,
// filtered exactly as the pages are.
func (s *Server) apiRecordFHIR(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	rec, _, err := p.Record(r.Context())
	if err != nil {
		return err
	}
	body, err := fhir.Bundle(rec, fhir.Options{Now: time.Now(), Practice: p.Summary().Practice})
	if err != nil {
		return err
	}
	s.auditPatient(r, p, "export_record", "success", "fhir")
	h := w.Header()
	h.Set("Content-Type", fhir.ContentType)
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Disposition", `attachment; filename="gp-record.fhir.json"`)
	_, err = w.Write(body)
	return err
}
