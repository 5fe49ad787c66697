// Package fhir exports a GP record as a FHIR R4 Bundle of UK Core-shaped
// resources, with the patient's remote-monitoring readings as vital-signs
// Observations, for the patient's "download my record" (record.fhir) and
// for handing a record to another service. The FHIR GP adapter reads
// records with Read, and writes and reads readings with
// ReadingObservation and ReadReading, in the same shapes.
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
	// Readings are the patient's remote-monitoring readings, each written
	// as a vital-signs Observation (see ReadingObservation), in the order
	// given. Like the record, they are exported exactly as given: who sent
	// each (SubmittedBy) included, when set.
	Readings []gp.Reading
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
	for _, step := range []func() error{b.allergies, b.medicines, b.problems, b.immunisations, b.results, b.consultations, b.documents, b.readings} {
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

// Confidentiality is the code system of the security label a sensitive
// item carries (code R, restricted): a GP system marks items it withholds
// from patients online so, and the adapter reading it back withholds them.
const Confidentiality = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"

// labelled is the profile meta, labelled restricted when sensitive.
func labelled(name string, sensitive bool) *meta {
	m := profile(name)
	if sensitive {
		m.Security = []coding{{System: Confidentiality, Code: "R", Display: "restricted"}}
	}
	return m
}

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
