package fhir

import "encoding/json"

// The FHIR R4 shapes Bundle writes: only the elements it fills, in the
// specification's element order, so the JSON reads as FHIR examples do.

type bundle struct {
	ResourceType string  `json:"resourceType"`
	ID           string  `json:"id"`
	Type         string  `json:"type"`
	Timestamp    string  `json:"timestamp"`
	Entry        []entry `json:"entry"`
}

type entry struct {
	FullURL  string `json:"fullUrl"`
	Resource any    `json:"resource"`
}

type meta struct {
	Profile  []string `json:"profile"`
	Security []coding `json:"security,omitempty"`
	Tag      []coding `json:"tag,omitempty"`
}

type coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

type codeableConcept struct {
	Coding []coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

type identifier struct {
	System string `json:"system"`
	Value  string `json:"value"`
}

type reference struct {
	Reference  string      `json:"reference,omitempty"`
	Type       string      `json:"type,omitempty"`
	Identifier *identifier `json:"identifier,omitempty"`
	Display    string      `json:"display,omitempty"`
}

type humanName struct {
	Use    string   `json:"use,omitempty"`
	Family string   `json:"family,omitempty"`
	Given  []string `json:"given,omitempty"`
}

type contactPoint struct {
	System string `json:"system"`
	Value  string `json:"value"`
	Use    string `json:"use,omitempty"`
}

type address struct {
	Use        string   `json:"use,omitempty"`
	Line       []string `json:"line,omitempty"`
	PostalCode string   `json:"postalCode,omitempty"`
}

type period struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

// quantity is a Quantity; Value is kept as written ("0.35", not 0.35000001).
type quantity struct {
	Value      json.Number `json:"value"`
	Comparator string      `json:"comparator,omitempty"`
	Unit       string      `json:"unit,omitempty"`
	System     string      `json:"system,omitempty"`
	Code       string      `json:"code,omitempty"`
}

type annotation struct {
	Text string `json:"text"`
}

type attachment struct {
	ContentType string `json:"contentType,omitempty"`
	Data        []byte `json:"data,omitempty"` // base64, as encoding/json writes []byte
	Title       string `json:"title,omitempty"`
	Creation    string `json:"creation,omitempty"`
}

type dosage struct {
	Text string `json:"text"`
}

type patient struct {
	ResourceType        string         `json:"resourceType"`
	ID                  string         `json:"id"`
	Meta                *meta          `json:"meta"`
	Identifier          []identifier   `json:"identifier,omitempty"`
	Name                []humanName    `json:"name,omitempty"`
	Telecom             []contactPoint `json:"telecom,omitempty"`
	Gender              string         `json:"gender,omitempty"`
	BirthDate           string         `json:"birthDate,omitempty"`
	Address             []address      `json:"address,omitempty"`
	GeneralPractitioner []reference    `json:"generalPractitioner,omitempty"`
}

type organization struct {
	ResourceType string         `json:"resourceType"`
	ID           string         `json:"id"`
	Meta         *meta          `json:"meta"`
	Identifier   []identifier   `json:"identifier"`
	Name         string         `json:"name,omitempty"`
	Telecom      []contactPoint `json:"telecom,omitempty"`
	Address      []address      `json:"address,omitempty"`
}

type reaction struct {
	Manifestation []codeableConcept `json:"manifestation"`
	Severity      string            `json:"severity,omitempty"`
}

type allergyIntolerance struct {
	ResourceType       string           `json:"resourceType"`
	ID                 string           `json:"id"`
	Meta               *meta            `json:"meta"`
	ClinicalStatus     *codeableConcept `json:"clinicalStatus,omitempty"`
	VerificationStatus *codeableConcept `json:"verificationStatus,omitempty"`
	Code               *codeableConcept `json:"code,omitempty"`
	Patient            reference        `json:"patient"`
	OnsetDateTime      string           `json:"onsetDateTime,omitempty"`
	RecordedDate       string           `json:"recordedDate,omitempty"`
	Reaction           []reaction       `json:"reaction,omitempty"`
}

type dispenseRequest struct {
	Quantity *quantity `json:"quantity,omitempty"`
}

type medicationRequest struct {
	ResourceType              string           `json:"resourceType"`
	ID                        string           `json:"id"`
	Meta                      *meta            `json:"meta"`
	Status                    string           `json:"status"`
	Intent                    string           `json:"intent"`
	MedicationCodeableConcept *codeableConcept `json:"medicationCodeableConcept"`
	Subject                   reference        `json:"subject"`
	AuthoredOn                string           `json:"authoredOn,omitempty"`
	CourseOfTherapyType       *codeableConcept `json:"courseOfTherapyType,omitempty"`
	Note                      []annotation     `json:"note,omitempty"`
	DosageInstruction         []dosage         `json:"dosageInstruction,omitempty"`
	DispenseRequest           *dispenseRequest `json:"dispenseRequest,omitempty"`
}

type medicationStatement struct {
	ResourceType              string           `json:"resourceType"`
	ID                        string           `json:"id"`
	Meta                      *meta            `json:"meta"`
	BasedOn                   []reference      `json:"basedOn,omitempty"`
	Status                    string           `json:"status"`
	MedicationCodeableConcept *codeableConcept `json:"medicationCodeableConcept"`
	Subject                   reference        `json:"subject"`
	EffectivePeriod           *period          `json:"effectivePeriod,omitempty"`
	Dosage                    []dosage         `json:"dosage,omitempty"`
}

type condition struct {
	ResourceType       string            `json:"resourceType"`
	ID                 string            `json:"id"`
	Meta               *meta             `json:"meta"`
	ClinicalStatus     *codeableConcept  `json:"clinicalStatus,omitempty"`
	VerificationStatus *codeableConcept  `json:"verificationStatus,omitempty"`
	Category           []codeableConcept `json:"category,omitempty"`
	Code               *codeableConcept  `json:"code,omitempty"`
	Subject            reference         `json:"subject"`
	OnsetDateTime      string            `json:"onsetDateTime,omitempty"`
	AbatementDateTime  string            `json:"abatementDateTime,omitempty"`
	Note               []annotation      `json:"note,omitempty"`
}

type protocolApplied struct {
	DoseNumberString string `json:"doseNumberString"`
}

type immunization struct {
	ResourceType       string            `json:"resourceType"`
	ID                 string            `json:"id"`
	Meta               *meta             `json:"meta"`
	Status             string            `json:"status"`
	VaccineCode        *codeableConcept  `json:"vaccineCode"`
	Patient            reference         `json:"patient"`
	OccurrenceDateTime string            `json:"occurrenceDateTime,omitempty"`
	OccurrenceString   string            `json:"occurrenceString,omitempty"`
	LotNumber          string            `json:"lotNumber,omitempty"`
	ProtocolApplied    []protocolApplied `json:"protocolApplied,omitempty"`
}

type referenceRange struct {
	Low  *quantity `json:"low,omitempty"`
	High *quantity `json:"high,omitempty"`
	Text string    `json:"text,omitempty"`
}

type observation struct {
	ResourceType      string            `json:"resourceType"`
	ID                string            `json:"id"`
	Meta              *meta             `json:"meta"`
	Status            string            `json:"status"`
	Category          []codeableConcept `json:"category"`
	Code              *codeableConcept  `json:"code"`
	Subject           reference         `json:"subject"`
	EffectiveDateTime string            `json:"effectiveDateTime,omitempty"`
	ValueQuantity     *quantity         `json:"valueQuantity,omitempty"`
	ValueString       string            `json:"valueString,omitempty"`
	Interpretation    []codeableConcept `json:"interpretation,omitempty"`
	Note              []annotation      `json:"note,omitempty"`
	ReferenceRange    []referenceRange  `json:"referenceRange,omitempty"`
}

type diagnosticReport struct {
	ResourceType      string            `json:"resourceType"`
	ID                string            `json:"id"`
	Meta              *meta             `json:"meta"`
	Status            string            `json:"status"`
	Category          []codeableConcept `json:"category"`
	Code              *codeableConcept  `json:"code"`
	Subject           reference         `json:"subject"`
	EffectiveDateTime string            `json:"effectiveDateTime,omitempty"`
	Result            []reference       `json:"result,omitempty"`
	Conclusion        string            `json:"conclusion,omitempty"`
}

type participant struct {
	Type       []codeableConcept `json:"type,omitempty"`
	Individual reference         `json:"individual"`
}

type encounterLocation struct {
	Location reference `json:"location"`
}

type encounter struct {
	ResourceType    string              `json:"resourceType"`
	ID              string              `json:"id"`
	Meta            *meta               `json:"meta"`
	Status          string              `json:"status"`
	Class           coding              `json:"class"`
	Subject         reference           `json:"subject"`
	Participant     []participant       `json:"participant,omitempty"`
	Period          *period             `json:"period,omitempty"`
	ReasonCode      []codeableConcept   `json:"reasonCode,omitempty"`
	Location        []encounterLocation `json:"location,omitempty"`
	ServiceProvider *reference          `json:"serviceProvider,omitempty"`
}

type content struct {
	Attachment attachment `json:"attachment"`
}

type docContext struct {
	Encounter []reference `json:"encounter,omitempty"`
	Period    *period     `json:"period,omitempty"`
}

type documentReference struct {
	ResourceType string           `json:"resourceType"`
	ID           string           `json:"id"`
	Meta         *meta            `json:"meta"`
	Status       string           `json:"status"`
	Type         *codeableConcept `json:"type,omitempty"`
	Subject      reference        `json:"subject"`
	Author       []reference      `json:"author,omitempty"`
	Description  string           `json:"description,omitempty"`
	Content      []content        `json:"content"`
	Context      *docContext      `json:"context,omitempty"`
}
