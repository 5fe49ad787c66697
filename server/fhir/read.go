package fhir

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/nhs-companion/companion/server/gp"
)

// Read maps FHIR R4 resources about one patient back to a gp.Record: the
// inverse of Bundle, for the FHIR GP-system adapter. It reads the shapes
// Bundle writes (UK Core-shaped resources with references by id, as a FHIR
// server stores them, or by urn:uuid fullUrl, as a Bundle carries them)
// and tolerates what it does not know. An item labelled restricted
// (meta.security, v3-Confidentiality R or V) is Sensitive. Item IDs are
// the resources' ids. resources must hold exactly one Patient.
func Read(resources []json.RawMessage) (gp.Record, error) {
	r := &reader{byID: map[string]json.RawMessage{}}
	for _, raw := range resources {
		var head struct {
			ResourceType string `json:"resourceType"`
			ID           string `json:"id"`
		}
		if err := json.Unmarshal(raw, &head); err != nil {
			return gp.Record{}, fmt.Errorf("fhir: read: %w", err)
		}
		r.byID[head.ID] = raw
		r.order = append(r.order, typed{head.ResourceType, raw})
	}
	var rec gp.Record
	patients := 0
	for _, t := range r.order {
		var err error
		switch t.typ {
		case "Patient":
			patients++
			err = r.patient(t.raw, &rec.Demographics)
		case "AllergyIntolerance":
			err = r.allergy(t.raw, &rec)
		case "MedicationRequest":
			err = r.medicine(t.raw, &rec)
		case "Condition":
			err = r.problem(t.raw, &rec)
		case "Immunization":
			err = r.immunisation(t.raw, &rec)
		case "DiagnosticReport":
			err = r.result(t.raw, &rec)
		case "Encounter":
			err = r.consultation(t.raw, &rec)
		case "DocumentReference":
			err = r.document(t.raw, &rec)
		}
		if err != nil {
			return gp.Record{}, fmt.Errorf("fhir: read %s: %w", t.typ, err)
		}
	}
	if patients != 1 {
		return gp.Record{}, fmt.Errorf("fhir: read: %d Patients, want 1", patients)
	}
	return rec, nil
}

type typed struct {
	typ string
	raw json.RawMessage
}

// reader holds the resources by id, so references resolve.
type reader struct {
	byID  map[string]json.RawMessage
	order []typed
	// statements are MedicationStatements by the MedicationRequest they
	// are based on.
	statements map[string]medicationStatement
}

// target is the id a reference names: "Type/id", a full URL or urn:uuid.
func target(ref string) string {
	ref = strings.TrimPrefix(ref, "urn:uuid:")
	ref, _, _ = strings.Cut(ref, "/_history")
	return ref[strings.LastIndex(ref, "/")+1:]
}

func (r *reader) resolve(ref reference, out any) bool {
	raw, ok := r.byID[target(ref.Reference)]
	return ok && json.Unmarshal(raw, out) == nil
}

func sensitive(m *meta) bool {
	return m != nil && slices.ContainsFunc(m.Security, func(c coding) bool {
		return c.System == Confidentiality && (c.Code == "R" || c.Code == "V")
	})
}

// day reads a FHIR date or dateTime as a calendar date (zero when absent
// or unreadable).
func dayOf(s string) gp.Date {
	if len(s) > 10 {
		s = s[:10]
	}
	d, _ := gp.ParseDate(s)
	return d
}

// codingOf reads a concept as Companion's coding: its SNOMED CT coding
// when it has one, else its first, else its text alone.
func codingOf(cc *codeableConcept) gp.Coding {
	if cc == nil {
		return gp.Coding{}
	}
	for _, c := range cc.Coding {
		if c.System == gp.SNOMED {
			return gp.Coding{System: c.System, Code: c.Code, Display: cmpOr(c.Display, cc.Text)}
		}
	}
	if len(cc.Coding) > 0 {
		c := cc.Coding[0]
		return gp.Coding{System: c.System, Code: c.Code, Display: cmpOr(c.Display, cc.Text)}
	}
	return gp.Coding{Display: cc.Text}
}

func code(cc *codeableConcept, system string) string {
	if cc == nil {
		return ""
	}
	for _, c := range cc.Coding {
		if c.System == system {
			return c.Code
		}
	}
	return ""
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (r *reader) patient(raw json.RawMessage, d *gp.Demographics) error {
	var p patient
	if err := json.Unmarshal(raw, &p); err != nil {
		return err
	}
	for _, id := range p.Identifier {
		if id.System == NHSNumberSystem {
			d.NHSNumber = id.Value
		}
	}
	if len(p.Name) > 0 {
		n := p.Name[0]
		for _, m := range p.Name {
			if m.Use == "official" {
				n = m
			}
		}
		d.FamilyName, d.GivenName = n.Family, strings.Join(n.Given, " ")
	}
	d.Gender, d.BirthDate = p.Gender, dayOf(p.BirthDate)
	for _, t := range p.Telecom {
		if t.System == "phone" && d.Phone == "" {
			d.Phone = t.Value
		}
	}
	if len(p.Address) > 0 {
		d.Address, d.Postcode = p.Address[0].Line, p.Address[0].PostalCode
	}
	for _, g := range p.GeneralPractitioner {
		if g.Identifier != nil && g.Identifier.System == ODSSystem {
			d.PracticeODS = g.Identifier.Value
		}
	}
	if d.NHSNumber == "" {
		return errors.New("the Patient has no NHS number")
	}
	return nil
}

func (r *reader) allergy(raw json.RawMessage, rec *gp.Record) error {
	var a allergyIntolerance
	if err := json.Unmarshal(raw, &a); err != nil {
		return err
	}
	out := gp.Allergy{ID: a.ID, Substance: codingOf(a.Code), Onset: dayOf(a.OnsetDateTime), Recorded: dayOf(a.RecordedDate),
		Status: code(a.ClinicalStatus, allergyClinical), Sensitive: sensitive(a.Meta)}
	for _, rx := range a.Reaction {
		for i := range rx.Manifestation {
			out.Reactions = append(out.Reactions, codingOf(&rx.Manifestation[i]))
		}
		out.Severity = cmpOr(out.Severity, rx.Severity)
	}
	rec.Allergies = append(rec.Allergies, out)
	return nil
}

// quantityNote and issuedNote are the notes Bundle writes for what a
// MedicationRequest has no element for.
const (
	quantityNote = "Quantity: "
	issuedNote   = "Last issued: "
)

func (r *reader) medicine(raw json.RawMessage, rec *gp.Record) error {
	var m medicationRequest
	if err := json.Unmarshal(raw, &m); err != nil {
		return err
	}
	if m.Intent != "order" {
		return nil // a proposal (a patient's order) is not a medicine of the record
	}
	if r.statements == nil {
		r.statements = map[string]medicationStatement{}
		for _, t := range r.order {
			var s medicationStatement
			if t.typ == "MedicationStatement" && json.Unmarshal(t.raw, &s) == nil {
				for _, b := range s.BasedOn {
					r.statements[target(b.Reference)] = s
				}
			}
		}
	}
	out := gp.Medicine{ID: m.ID, Drug: codingOf(m.MedicationCodeableConcept), Sensitive: sensitive(m.Meta), Started: dayOf(m.AuthoredOn)}
	if m.MedicationCodeableConcept != nil {
		out.Name = m.MedicationCodeableConcept.Text
	}
	switch code(m.CourseOfTherapyType, courseOfTherapy) {
	case "continuous":
		out.Kind = "repeat"
	case "acute":
		out.Kind = "acute"
	}
	switch m.Status {
	case "active":
		out.Status = "current"
	case "completed", "stopped":
		out.Status = "past"
	}
	if len(m.DosageInstruction) > 0 {
		out.Dose = m.DosageInstruction[0].Text
	}
	if q := m.DispenseRequest; q != nil && q.Quantity != nil {
		out.Quantity = strings.TrimSpace(string(q.Quantity.Value) + " " + q.Quantity.Unit)
	}
	for _, n := range m.Note {
		if v, ok := strings.CutPrefix(n.Text, quantityNote); ok {
			out.Quantity = v
		}
		if v, ok := strings.CutPrefix(n.Text, issuedNote); ok {
			out.LastIssued = dayOf(v)
		}
	}
	if s, ok := r.statements[m.ID]; ok {
		if s.EffectivePeriod != nil {
			out.Started, out.Ended = dayOf(s.EffectivePeriod.Start), dayOf(s.EffectivePeriod.End)
		}
		if out.Dose == "" && len(s.Dosage) > 0 {
			out.Dose = s.Dosage[0].Text
		}
	}
	rec.Medicines = append(rec.Medicines, out)
	return nil
}

func (r *reader) problem(raw json.RawMessage, rec *gp.Record) error {
	var c condition
	if err := json.Unmarshal(raw, &c); err != nil {
		return err
	}
	out := gp.Problem{ID: c.ID, Code: codingOf(c.Code), Onset: dayOf(c.OnsetDateTime), Ended: dayOf(c.AbatementDateTime), Sensitive: sensitive(c.Meta)}
	switch code(c.ClinicalStatus, conditionClinical) {
	case "active", "recurrence", "relapse":
		out.Status = "active"
	case "inactive", "remission", "resolved":
		out.Status = "past"
	}
	for _, n := range c.Note {
		switch n.Text {
		case "Significant problem":
			out.Significance = "significant"
		case "Minor problem":
			out.Significance = "minor"
		}
	}
	rec.Problems = append(rec.Problems, out)
	return nil
}

func (r *reader) immunisation(raw json.RawMessage, rec *gp.Record) error {
	var im immunization
	if err := json.Unmarshal(raw, &im); err != nil {
		return err
	}
	out := gp.Immunisation{ID: im.ID, Vaccine: codingOf(im.VaccineCode), Date: dayOf(im.OccurrenceDateTime), Batch: im.LotNumber, Sensitive: sensitive(im.Meta)}
	if len(im.ProtocolApplied) > 0 {
		out.Dose = im.ProtocolApplied[0].DoseNumberString
	}
	rec.Immunisations = append(rec.Immunisations, out)
	return nil
}

// entryLine is a consultation line as Bundle writes it:
// "Heading: text (display, code)".
var entryLine = regexp.MustCompile(`^(?:([^:]{1,40}): )?(.*?)(?: \(([^()]*), ([0-9]{6,18})\))?$`)

func (r *reader) consultation(raw json.RawMessage, rec *gp.Record) error {
	var e encounter
	if err := json.Unmarshal(raw, &e); err != nil {
		return err
	}
	out := gp.Consultation{ID: e.ID, Sensitive: sensitive(e.Meta)}
	if e.Period != nil {
		out.Date = dayOf(e.Period.Start)
	}
	if len(e.Participant) > 0 {
		who := e.Participant[0].Individual.Display
		if i := strings.LastIndex(who, ", "); i >= 0 {
			out.Clinician, out.Role = who[:i], who[i+2:]
		} else {
			out.Clinician = who
		}
	}
	if len(e.Location) > 0 {
		out.Location = e.Location[0].Location.Display
	}
	// Its lines are in the DocumentReference written for it.
	for _, t := range r.order {
		var d documentReference
		if t.typ != "DocumentReference" || json.Unmarshal(t.raw, &d) != nil || d.Context == nil ||
			!slices.ContainsFunc(d.Context.Encounter, func(x reference) bool { return target(x.Reference) == e.ID }) {
			continue
		}
		for _, c := range d.Content {
			for _, line := range strings.Split(strings.TrimRight(string(c.Attachment.Data), "\n"), "\n") {
				g := entryLine.FindStringSubmatch(line)
				if g == nil || line == "" {
					continue
				}
				en := gp.Entry{Heading: g[1], Text: g[2]}
				if g[4] != "" {
					en.Code = &gp.Coding{System: gp.SNOMED, Code: g[4], Display: g[3]}
				}
				out.Entries = append(out.Entries, en)
			}
		}
	}
	rec.Consultations = append(rec.Consultations, out)
	return nil
}

func (r *reader) document(raw json.RawMessage, rec *gp.Record) error {
	var d documentReference
	if err := json.Unmarshal(raw, &d); err != nil {
		return err
	}
	if d.Context != nil && len(d.Context.Encounter) > 0 {
		return nil // a consultation's note, read with its Encounter
	}
	out := gp.Document{ID: d.ID, Title: d.Description, Type: codingOf(d.Type), Sensitive: sensitive(d.Meta)}
	if d.Type != nil && len(d.Type.Coding) == 0 {
		out.Type = gp.Coding{} // a type in words only is the title again
	}
	if len(d.Author) > 0 {
		out.Author = d.Author[0].Display
	}
	if d.Context != nil && d.Context.Period != nil {
		out.Date = dayOf(d.Context.Period.Start)
	}
	if len(d.Content) > 0 {
		a := d.Content[0].Attachment
		out.ContentType, out.Body = a.ContentType, a.Data
		out.Title = cmpOr(out.Title, a.Title)
		if out.Date.IsZero() {
			out.Date = dayOf(a.Creation)
		}
	}
	rec.Documents = append(rec.Documents, out)
	return nil
}

// ReadMedicine maps one MedicationRequest (intent order) to a medicine, as
// Read would: for the FHIR adapter's repeat templates, which are the
// record's current repeat medicines. ok is false for another intent.
func ReadMedicine(raw json.RawMessage) (m gp.Medicine, ok bool, err error) {
	var rec gp.Record
	if err := (&reader{byID: map[string]json.RawMessage{}}).medicine(raw, &rec); err != nil {
		return gp.Medicine{}, false, fmt.Errorf("fhir: read MedicationRequest: %w", err)
	}
	if len(rec.Medicines) == 0 {
		return gp.Medicine{}, false, nil
	}
	return rec.Medicines[0], true, nil
}
