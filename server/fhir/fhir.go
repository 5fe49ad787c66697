// Package fhir exports a GP record as a FHIR R4 Bundle of UK Core-shaped
// resources, for the patient's "download my record" (record.fhir) and for
// handing a record to another service.
//
// It serialises exactly the gp.Record it is given: deciding what a viewer
// may see (a summary only, nothing sensitive) happens above it, before the
// call. The output is deterministic — the same record and Options give the
// same bytes — so golden files can pin it. validate/ holds an independent
// Node validator its tests run on every bundle they make.
//
// It is server-only: app/... must never import it (it would pull the GP
// port into the WASM). It imports only the gp port's types: no storage,
// HTTP, access rules or clock of its own.
package fhir

import (
	"bytes"
	"crypto/sha1"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/nhs-companion/companion/server/gp"
)

// ContentType is the media type of the bytes Bundle returns.
const ContentType = "application/fhir+json"

// Identifier and code systems.
const (
	// NHSNumberSystem identifies a patient by NHS number.
	NHSNumberSystem = "https://fhir.nhs.uk/Id/nhs-number"
	// ODSSystem identifies an organisation by ODS code.
	ODSSystem = "https://fhir.nhs.uk/Id/ods-organization-code"
	// UCUM is the system of units of measure.
	UCUM = "http://unitsofmeasure.org"

	allergyClinical     = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
	allergyVerification = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
	conditionClinical   = "http://terminology.hl7.org/CodeSystem/condition-clinical"
	conditionVerify     = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
	conditionCategory   = "http://terminology.hl7.org/CodeSystem/condition-category"
	courseOfTherapy     = "http://terminology.hl7.org/CodeSystem/medicationrequest-course-of-therapy"
	observationCategory = "http://terminology.hl7.org/CodeSystem/observation-category"
	interpretation      = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
	diagnosticService   = "http://terminology.hl7.org/CodeSystem/v2-0074"
	actCode             = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
	participationType   = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
)

// ukCore is the base of the UK Core profile URLs.
const ukCore = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-"

// namespace seeds every UUID this package derives (UUID version 5), so ids
// are stable across exports and distinct from anyone else's.
var namespace = [16]byte{0x97, 0x8b, 0x5d, 0x35, 0xf2, 0xd8, 0x49, 0x0d, 0x8a, 0x0f, 0xc0, 0x33, 0x67, 0x81, 0x3a, 0x17}

// Options are what Bundle needs beyond the record.
type Options struct {
	// Now is the Bundle's timestamp (required): injected so output is stable.
	Now time.Time
	// Practice, when its ODS code is the record's registered practice,
	// names that Organization and gives its address and phone.
	Practice gp.Practice
}

// Bundle returns rec as a FHIR R4 Bundle of type collection, as indented
// JSON. rec must already be filtered for the viewer: every item in it is
// exported. It fails when Options.Now is zero or two items share an ID.
func Bundle(rec gp.Record, opt Options) ([]byte, error) {
	if opt.Now.IsZero() {
		return nil, errors.New("fhir: Options.Now is required")
	}
	b := &builder{rec: rec, opt: opt, seen: map[string]bool{}}
	bundle, err := b.build()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // "<5" stays readable; JSON is not HTML
	enc.SetIndent("", "  ")
	if err := enc.Encode(bundle); err != nil {
		return nil, fmt.Errorf("fhir: encode bundle: %w", err)
	}
	return buf.Bytes(), nil
}

// builder accumulates entries and guards against duplicate fullUrls.
type builder struct {
	rec     gp.Record
	opt     Options
	entries []entry
	seen    map[string]bool
	patient reference
	org     *reference
}

// uuid5 derives an RFC 9562 version 5 UUID from name in this package's
// namespace.
func uuid5(name string) string {
	h := sha1.New()
	h.Write(namespace[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// id returns the stable id of the resource named by kind and item ID. The
// patient is part of the name, so two patients' items never share an id.
func (b *builder) id(kind, itemID string) (string, error) {
	name := b.rec.Demographics.NHSNumber + "/" + kind + "/" + itemID
	if b.seen[name] {
		return "", fmt.Errorf("fhir: two %s items share ID %q", kind, itemID)
	}
	b.seen[name] = true
	return uuid5(name), nil
}

// add appends res (whose id is id) and returns a reference to it.
func (b *builder) add(id, typ string, res any) reference {
	url := "urn:uuid:" + id
	b.entries = append(b.entries, entry{FullURL: url, Resource: res})
	return reference{Reference: url, Type: typ}
}

func (b *builder) build() (*bundle, error) {
	d := b.rec.Demographics
	var org *organization
	if d.PracticeODS != "" {
		// A practice is the same resource in every patient's bundle.
		id := uuid5("Organization/" + d.PracticeODS)
		org = b.organization(id)
		b.org = &reference{Reference: "urn:uuid:" + id, Type: "Organization",
			Identifier: &identifier{System: ODSSystem, Value: d.PracticeODS}, Display: org.Name}
	}
	pid, err := b.id("Patient", "")
	if err != nil {
		return nil, err
	}
	// The Patient comes first (it is what the bundle is about), then the
	// practice it names.
	b.patient = b.add(pid, "Patient", b.patientResource(pid))
	b.patient.Display = strings.TrimSpace(d.GivenName + " " + d.FamilyName)
	if org != nil {
		b.add(org.ID, "Organization", org)
	}
	for _, step := range []func() error{b.allergies, b.medicines, b.problems, b.immunisations, b.results, b.consultations, b.documents} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	stamp := b.opt.Now.UTC().Truncate(time.Second)
	return &bundle{
		ResourceType: "Bundle",
		ID:           uuid5("Bundle/" + d.NHSNumber + "/" + stamp.Format(time.RFC3339)),
		Type:         "collection",
		Timestamp:    stamp.Format(time.RFC3339),
		Entry:        b.entries,
	}, nil
}

func (b *builder) organization(id string) *organization {
	d, p := b.rec.Demographics, b.opt.Practice
	org := &organization{ResourceType: "Organization", ID: id, Meta: profile("Organization"),
		Identifier: []identifier{{System: ODSSystem, Value: d.PracticeODS}}}
	if p.ODS == d.PracticeODS {
		org.Name = p.Name
		if p.Phone != "" {
			org.Telecom = []contactPoint{{System: "phone", Value: p.Phone, Use: "work"}}
		}
		if len(nonEmpty(p.Address)) > 0 || p.Postcode != "" {
			org.Address = []address{{Use: "work", Line: nonEmpty(p.Address), PostalCode: p.Postcode}}
		}
	}
	return org
}

func (b *builder) patientResource(id string) *patient {
	d := b.rec.Demographics
	p := &patient{ResourceType: "Patient", ID: id, Meta: profile("Patient"), BirthDate: d.BirthDate.String()}
	if d.NHSNumber != "" {
		p.Identifier = []identifier{{System: NHSNumberSystem, Value: d.NHSNumber}}
	}
	if d.GivenName != "" || d.FamilyName != "" {
		n := humanName{Use: "official", Family: d.FamilyName}
		if d.GivenName != "" {
			n.Given = []string{d.GivenName}
		}
		p.Name = []humanName{n}
	}
	switch d.Gender {
	case "male", "female", "other", "unknown":
		p.Gender = d.Gender
	}
	if d.Phone != "" {
		p.Telecom = []contactPoint{{System: "phone", Value: d.Phone}}
	}
	if len(nonEmpty(d.Address)) > 0 || d.Postcode != "" {
		p.Address = []address{{Use: "home", Line: nonEmpty(d.Address), PostalCode: d.Postcode}}
	}
	if b.org != nil {
		p.GeneralPractitioner = []reference{*b.org}
	}
	return p
}

func (b *builder) allergies() error {
	for i, a := range b.rec.Allergies {
		id, err := b.id("AllergyIntolerance", itemID(a.ID, i))
		if err != nil {
			return err
		}
		r := &allergyIntolerance{ResourceType: "AllergyIntolerance", ID: id, Meta: profile("AllergyIntolerance"),
			Code: concept(a.Substance), Patient: b.patient, OnsetDateTime: a.Onset.String(), RecordedDate: a.Recorded.String()}
		// ait-1 wants a clinical status beside a verification status; an
		// allergy the record gives none for is still on the record: active.
		status := a.Status
		if status != "inactive" && status != "resolved" {
			status = "active"
		}
		r.ClinicalStatus = coded(allergyClinical, status, titleCase(status))
		r.VerificationStatus = coded(allergyVerification, "confirmed", "Confirmed")
		if rx := (reaction{}); len(a.Reactions) > 0 {
			for _, m := range a.Reactions {
				if cc := concept(m); cc != nil {
					rx.Manifestation = append(rx.Manifestation, *cc)
				}
			}
			switch a.Severity {
			case "mild", "moderate", "severe":
				rx.Severity = a.Severity
			}
			if len(rx.Manifestation) > 0 {
				r.Reaction = []reaction{rx}
			}
		}
		b.add(id, "AllergyIntolerance", r)
	}
	return nil
}

// dispensed is a quantity Bundle can carry as a number: "56 tablets".
var dispensed = regexp.MustCompile(`^(0|[1-9][0-9]*)(\.[0-9]+)?\s*([A-Za-z]+)?$`)

func (b *builder) medicines() error {
	for i, m := range b.rec.Medicines {
		key := itemID(m.ID, i)
		rid, err := b.id("MedicationRequest", key)
		if err != nil {
			return err
		}
		sid, err := b.id("MedicationStatement", key)
		if err != nil {
			return err
		}
		med := conceptOr(m.Drug, "Medication")
		if m.Name != "" {
			med.Text = m.Name
		}
		req := &medicationRequest{ResourceType: "MedicationRequest", ID: rid, Meta: profile("MedicationRequest"),
			Status: "unknown", Intent: "order", MedicationCodeableConcept: med, Subject: b.patient, AuthoredOn: m.Started.String()}
		stmt := &medicationStatement{ResourceType: "MedicationStatement", ID: sid, Meta: profile("MedicationStatement"),
			Status: "unknown", MedicationCodeableConcept: med, Subject: b.patient}
		switch m.Status {
		case "current":
			req.Status, stmt.Status = "active", "active"
		case "past":
			stmt.Status = "completed"
			req.Status = "completed"
			if m.Kind == "repeat" {
				req.Status = "stopped" // a repeat ends by being stopped
			}
		}
		switch m.Kind {
		case "repeat":
			req.CourseOfTherapyType = coded(courseOfTherapy, "continuous", "Continuous long term therapy")
		case "acute":
			req.CourseOfTherapyType = coded(courseOfTherapy, "acute", "Short course (acute) therapy")
		}
		if m.Dose != "" {
			req.DosageInstruction = []dosage{{Text: m.Dose}}
			stmt.Dosage = []dosage{{Text: m.Dose}}
		}
		if q := strings.TrimSpace(m.Quantity); q != "" {
			if g := dispensed.FindStringSubmatch(q); g != nil {
				req.DispenseRequest = &dispenseRequest{Quantity: &quantity{Value: json.Number(g[1] + g[2]), Unit: g[3]}}
			} else {
				req.Note = append(req.Note, annotation{Text: "Quantity: " + q})
			}
		}
		if !m.LastIssued.IsZero() {
			req.Note = append(req.Note, annotation{Text: "Last issued: " + m.LastIssued.String()})
		}
		if !m.Started.IsZero() || !m.Ended.IsZero() {
			stmt.EffectivePeriod = &period{Start: m.Started.String(), End: m.Ended.String()}
		}
		stmt.BasedOn = []reference{b.add(rid, "MedicationRequest", req)}
		b.add(sid, "MedicationStatement", stmt)
	}
	return nil
}

func (b *builder) problems() error {
	for i, p := range b.rec.Problems {
		id, err := b.id("Condition", itemID(p.ID, i))
		if err != nil {
			return err
		}
		c := &condition{ResourceType: "Condition", ID: id, Meta: profile("Condition"),
			VerificationStatus: coded(conditionVerify, "confirmed", "Confirmed"),
			Category:           []codeableConcept{*coded(conditionCategory, "problem-list-item", "Problem List Item")},
			Code:               concept(p.Code), Subject: b.patient, OnsetDateTime: p.Onset.String()}
		switch p.Status {
		case "active":
			c.ClinicalStatus = coded(conditionClinical, "active", "Active")
		case "past":
			c.ClinicalStatus = coded(conditionClinical, "resolved", "Resolved")
			c.AbatementDateTime = p.Ended.String() // only with an inactive status (con-4)
		}
		// UK Core carries significance in an extension; a note keeps this
		// export extension-free and still tells a reader.
		switch p.Significance {
		case "significant":
			c.Note = []annotation{{Text: "Significant problem"}}
		case "minor":
			c.Note = []annotation{{Text: "Minor problem"}}
		}
		b.add(id, "Condition", c)
	}
	return nil
}

func (b *builder) immunisations() error {
	for i, im := range b.rec.Immunisations {
		id, err := b.id("Immunization", itemID(im.ID, i))
		if err != nil {
			return err
		}
		r := &immunization{ResourceType: "Immunization", ID: id, Meta: profile("Immunization"), Status: "completed",
			VaccineCode: conceptOr(im.Vaccine, "Vaccine"), Patient: b.patient, OccurrenceDateTime: im.Date.String(), LotNumber: im.Batch}
		if im.Date.IsZero() {
			r.OccurrenceString = "Date not recorded" // occurrence[x] is mandatory
		}
		if im.Dose != "" {
			r.ProtocolApplied = []protocolApplied{{DoseNumberString: im.Dose}}
		}
		b.add(id, "Immunization", r)
	}
	return nil
}

// decimal is a FHIR decimal, optionally after a comparator: "<5", "13.2".
var decimal = regexp.MustCompile(`^(<=|>=|<|>)?\s*(-?(0|[1-9][0-9]*)(\.[0-9]+)?)$`)

// ucumLike is a unit written as a UCUM code might be: no spaces, no "^".
var ucumLike = regexp.MustCompile(`^[!-\]_-~]+$`)

func (b *builder) results() error {
	for n, t := range b.rec.TestResults {
		key := itemID(t.ID, n)
		id, err := b.id("DiagnosticReport", key)
		if err != nil {
			return err
		}
		rep := &diagnosticReport{ResourceType: "DiagnosticReport", ID: id, Meta: profile("DiagnosticReport"), Status: "final",
			Category: []codeableConcept{*coded(diagnosticService, "LAB", "Laboratory")}, Code: conceptOr(t.Panel, "Test results"),
			Subject: b.patient, EffectiveDateTime: t.Date.String(), Conclusion: t.Comment}
		// The report comes before its values, as a reader expects; their ids
		// are known in advance.
		obs := make([]*observation, len(t.Values))
		for i, v := range t.Values {
			oid, err := b.id("Observation", key+"/"+strconv.Itoa(i))
			if err != nil {
				return err
			}
			obs[i] = b.observation(oid, t, v)
			rep.Result = append(rep.Result, reference{Reference: "urn:uuid:" + oid, Type: "Observation", Display: v.Test.Display})
		}
		b.add(id, "DiagnosticReport", rep)
		for _, o := range obs {
			b.add(o.ID, "Observation", o)
		}
	}
	return nil
}

func (b *builder) observation(id string, t gp.TestResult, v gp.ResultValue) *observation {
	o := &observation{ResourceType: "Observation", ID: id, Meta: profile("Observation"), Status: "final",
		Category: []codeableConcept{*coded(observationCategory, "laboratory", "Laboratory")},
		Code:     conceptOr(v.Test, "Test"), Subject: b.patient, EffectiveDateTime: t.Date.String()}
	unit := func(q *quantity) *quantity {
		if v.Unit != "" {
			q.Unit = v.Unit
			if ucumLike.MatchString(v.Unit) {
				q.System, q.Code = UCUM, v.Unit
			}
		}
		return q
	}
	switch g := decimal.FindStringSubmatch(strings.TrimSpace(v.Value)); {
	case g != nil:
		o.ValueQuantity = unit(&quantity{Comparator: g[1], Value: json.Number(g[2])})
	case v.Value != "":
		o.ValueString = strings.TrimSpace(v.Value + " " + v.Unit)
	case v.Text != "":
		o.ValueString = v.Text
	}
	// A range bound must be a plain number; anything else is kept in words.
	var rr referenceRange
	var words []string
	for _, bound := range []struct {
		s   string
		dst **quantity
		pre string
	}{{v.Low, &rr.Low, "Lower limit: "}, {v.High, &rr.High, "Upper limit: "}} {
		if bound.s == "" {
			continue
		}
		if g := decimal.FindStringSubmatch(bound.s); g != nil && g[1] == "" {
			*bound.dst = unit(&quantity{Value: json.Number(g[2])})
		} else {
			words = append(words, bound.pre+bound.s)
		}
	}
	if v.RangeText != "" {
		words = append([]string{v.RangeText}, words...)
	}
	rr.Text = strings.Join(words, "; ")
	if rr.Low != nil || rr.High != nil || rr.Text != "" {
		o.ReferenceRange = []referenceRange{rr}
	}
	switch v.Flag {
	case "high":
		o.Interpretation = []codeableConcept{*coded(interpretation, "H", "High")}
	case "low":
		o.Interpretation = []codeableConcept{*coded(interpretation, "L", "Low")}
	case "abnormal":
		o.Interpretation = []codeableConcept{*coded(interpretation, "A", "Abnormal")}
	case "":
	default:
		o.Interpretation = []codeableConcept{{Text: v.Flag}}
	}
	if v.Value != "" && v.Text != "" {
		o.Note = append(o.Note, annotation{Text: v.Text})
	}
	if v.Comment != "" {
		o.Note = append(o.Note, annotation{Text: v.Comment})
	}
	return o
}

// consultationReport is the SNOMED CT record artifact a consultation's
// note is filed as.
var consultationReport = gp.Coding{System: gp.SNOMED, Code: "371530004", Display: "Clinical consultation report"}

func (b *builder) consultations() error {
	for i, c := range b.rec.Consultations {
		key := itemID(c.ID, i)
		eid, err := b.id("Encounter", key)
		if err != nil {
			return err
		}
		did, err := b.id("DocumentReference/consultation", key)
		if err != nil {
			return err
		}
		enc := &encounter{ResourceType: "Encounter", ID: eid, Meta: profile("Encounter"), Status: "finished",
			Class: encounterClass(c.Location), Subject: b.patient, ServiceProvider: b.org}
		if !c.Date.IsZero() {
			enc.Period = &period{Start: c.Date.String()}
		}
		who := c.Clinician
		if c.Role != "" {
			who = strings.TrimPrefix(who+", "+c.Role, ", ")
		}
		if who != "" {
			enc.Participant = []participant{{
				Type:       []codeableConcept{*coded(participationType, "PPRF", "primary performer")},
				Individual: reference{Display: who},
			}}
		}
		if c.Location != "" {
			enc.Location = []encounterLocation{{Location: reference{Display: c.Location}}}
		}
		var note strings.Builder
		for _, e := range c.Entries {
			line := e.Text
			if e.Heading != "" {
				line = e.Heading + ": " + line
			}
			if e.Code != nil {
				if parts := nonEmpty([]string{e.Code.Display, e.Code.Code}); len(parts) > 0 {
					line += " (" + strings.Join(parts, ", ") + ")"
				}
				if cc := concept(*e.Code); cc != nil && e.Heading == "Problem" {
					if e.Text != "" {
						cc.Text = e.Text
					}
					enc.ReasonCode = append(enc.ReasonCode, *cc)
				}
			}
			note.WriteString(line + "\n")
		}
		encRef := b.add(eid, "Encounter", enc)
		doc := &documentReference{ResourceType: "DocumentReference", ID: did, Meta: profile("DocumentReference"),
			Status: "current", Type: concept(consultationReport), Subject: b.patient, Description: "Consultation",
			Content: []content{{Attachment: attachment{ContentType: "text/plain; charset=utf-8", Data: []byte(note.String()),
				Title: "Consultation", Creation: c.Date.String()}}},
			Context: &docContext{Encounter: []reference{encRef}}}
		if who != "" {
			doc.Author = []reference{{Display: who}}
		}
		if !c.Date.IsZero() {
			doc.Context.Period = &period{Start: c.Date.String()}
		}
		b.add(did, "DocumentReference", doc)
	}
	return nil
}

// encounterClass reads how a consultation happened from where the record
// says it happened; most are at the surgery.
func encounterClass(location string) coding {
	l := strings.ToLower(location)
	switch {
	case strings.Contains(l, "telephone"), strings.Contains(l, "phone"), strings.Contains(l, "video"), strings.Contains(l, "online"):
		return coding{System: actCode, Code: "VR", Display: "virtual"}
	case strings.Contains(l, "home"):
		return coding{System: actCode, Code: "HH", Display: "home health"}
	}
	return coding{System: actCode, Code: "AMB", Display: "ambulatory"}
}

func (b *builder) documents() error {
	for i, d := range b.rec.Documents {
		id, err := b.id("DocumentReference", itemID(d.ID, i))
		if err != nil {
			return err
		}
		doc := &documentReference{ResourceType: "DocumentReference", ID: id, Meta: profile("DocumentReference"),
			Status: "current", Type: concept(d.Type), Subject: b.patient, Description: d.Title,
			Content: []content{{Attachment: attachment{ContentType: d.ContentType, Data: d.Body, Title: d.Title, Creation: d.Date.String()}}}}
		if d.ContentType == "" {
			// Data needs a type (att-1); bytes of unknown type are an octet stream.
			doc.Content[0].Attachment.ContentType = "application/octet-stream"
		}
		if doc.Type == nil && d.Title != "" {
			doc.Type = &codeableConcept{Text: d.Title}
		}
		if d.Author != "" {
			doc.Author = []reference{{Display: d.Author}}
		}
		// DocumentReference.date is an instant and the record has only a
		// day, so the day goes where a date is allowed.
		if !d.Date.IsZero() {
			doc.Context = &docContext{Period: &period{Start: d.Date.String()}}
		}
		b.add(id, "DocumentReference", doc)
	}
	return nil
}

// Helpers.

// itemID is the record's ID for an item, or its place in its section when
// the GP system gave it none.
func itemID(id string, i int) string {
	if id == "" {
		return "#" + strconv.Itoa(i)
	}
	return id
}

// nonEmpty drops blank strings: FHIR JSON allows no empty values.
func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func profile(name string) *meta { return &meta{Profile: []string{ukCore + name}} }

func concept(c gp.Coding) *codeableConcept {
	if c == (gp.Coding{}) {
		return nil
	}
	cc := &codeableConcept{Text: c.Display}
	if c.Code != "" {
		cc.Coding = []coding{{System: c.System, Code: c.Code, Display: c.Display}}
	}
	return cc
}

// conceptOr is concept(c), or the text fallback where an element is
// mandatory and the record has no code for it.
func conceptOr(c gp.Coding, fallback string) *codeableConcept {
	if cc := concept(c); cc != nil {
		return cc
	}
	return &codeableConcept{Text: fallback}
}

func coded(system, code, display string) *codeableConcept {
	return &codeableConcept{Coding: []coding{{System: system, Code: code, Display: display}}}
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
