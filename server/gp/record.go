package gp

import "context"

// SNOMED is the code system of SNOMED CT concept ids.
const SNOMED = "http://snomed.info/sct"

// Coding is a coded concept: SNOMED CT where a real record would use it.
type Coding struct {
	System  string // e.g. SNOMED
	Code    string // the concept id
	Display string // the preferred term
}

// Record is a patient's GP health record, whole. What a viewer may see of
// it (a summary, nothing, never the sensitive items) is decided above the
// port.
type Record struct {
	Demographics  Demographics
	Allergies     []Allergy
	Medicines     []Medicine
	Problems      []Problem
	Immunisations []Immunisation
	TestResults   []TestResult
	Consultations []Consultation
	Documents     []Document
}

// Demographics is who the record is about, as the practice holds it.
type Demographics struct {
	NHSNumber   string
	GivenName   string
	FamilyName  string
	BirthDate   Date
	Gender      string // "female", "male", "other" or "unknown" (FHIR administrative gender)
	Address     []string
	Postcode    string
	Phone       string
	PracticeODS string
}

// Allergy is an allergy or adverse reaction.
type Allergy struct {
	ID        string
	Substance Coding
	Reactions []Coding
	Severity  string // "mild", "moderate" or "severe"
	Onset     Date   // may be zero when not known
	Recorded  Date
	Status    string // "active" or "resolved"
	// Sensitive items are withheld from everyone online.
	Sensitive bool
}

// Medicine is a medication the patient takes or took.
type Medicine struct {
	ID         string
	Drug       Coding // dm+d concept (in SNOMED CT)
	Name       string // as prescribed, e.g. "Salbutamol 100micrograms/dose inhaler"
	Dose       string // instructions, e.g. "Two puffs when required"
	Quantity   string // e.g. "1 inhaler"
	Kind       string // "repeat" or "acute"
	Status     string // "current" or "past"
	Started    Date
	Ended      Date // zero while current
	LastIssued Date
	Sensitive  bool
}

// Problem is a problem or condition.
type Problem struct {
	ID           string
	Code         Coding
	Status       string // "active" or "past"
	Significance string // "significant" or "minor"
	Onset        Date
	Ended        Date // zero while active
	Sensitive    bool
}

// Immunisation is a vaccination given.
type Immunisation struct {
	ID        string
	Vaccine   Coding
	Dose      string // e.g. "1st dose", "booster"
	Date      Date
	Batch     string // where known
	Sensitive bool
}

// TestResult is a test panel (a full blood count, say) with its values.
type TestResult struct {
	ID        string
	Panel     Coding
	Date      Date
	Comment   string // the clinician's note on the panel, if any
	Values    []ResultValue
	Sensitive bool
}

// ResultValue is one value of a panel.
type ResultValue struct {
	Test Coding
	// Value is the number as reported ("13.2"); Text is a result in words
	// ("Not detected") when there is no number.
	Value string
	Text  string
	Unit  string // UCUM where possible, e.g. "g/L"
	// Low and High bound the reference range ("" when open); RangeText is
	// a range in words.
	Low, High string
	RangeText string
	// Flag is "", "low", "high" or "abnormal", as the laboratory reported.
	Flag    string
	Comment string
}

// Consultation is a consultation or other event in the record.
type Consultation struct {
	ID        string
	Date      Date
	Clinician string
	Role      string
	Location  string
	Entries   []Entry
	Sensitive bool
}

// Entry is one line of a consultation.
type Entry struct {
	Heading string // "History", "Examination", "Problem", "Plan", …
	Text    string
	Code    *Coding
}

// Document is a letter or other document, with its body.
type Document struct {
	ID          string
	Title       string
	Type        Coding
	Date        Date
	Author      string
	ContentType string // "text/plain" or "application/pdf"
	Body        []byte
	Sensitive   bool
}

// Records is the health-record part of the port.
type Records interface {
	// Record returns the patient's whole record, or ErrNotFound.
	Record(ctx context.Context, patientNHS string) (Record, error)
}
