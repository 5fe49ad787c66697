package api

// Record is what a viewer may see of a patient's GP health record, for the
// record pages. Dates are YYYY-MM-DD ("" when not known).
type Record struct {
	// Level is "full" or "summary".
	Level string `json:"level"`
	// Section is the section on show ("" for the index, "print" for all).
	Section string `json:"section,omitempty"`
	// Counts is how many items each section the viewer may see holds.
	Counts map[string]int `json:"counts"`
	// Patient names whose record it is.
	Patient   string `json:"patient"`
	BirthDate string `json:"birthdate"`
	// PatientID is the opaque ID, for the export link.
	PatientID string `json:"patient_id"`
	// Export is set when the practice offers the FHIR download.
	Export bool `json:"export,omitempty"`

	Allergies     []RecordAllergy      `json:"allergies,omitempty"`
	Medicines     []RecordMedicine     `json:"medicines,omitempty"`
	Problems      []RecordProblem      `json:"problems,omitempty"`
	Immunisations []RecordImmunisation `json:"immunisations,omitempty"`
	Results       []RecordResult       `json:"results,omitempty"`
	Consultations []RecordConsultation `json:"consultations,omitempty"`
	Documents     []RecordDocument     `json:"documents,omitempty"`
	// Document is one document, on its own page.
	Document *RecordDocument `json:"document,omitempty"`
}

// RecordSections lists the sections in the order pages show them.
var RecordSections = []string{"allergies", "medicines", "problems", "immunisations", "results", "consultations", "documents"}

// SummarySections are the sections a summary holds.
var SummarySections = []string{"allergies", "medicines", "immunisations"}

// RecordAllergy is an allergy or adverse reaction.
type RecordAllergy struct {
	ID        string   `json:"id"`
	Substance string   `json:"substance"`
	Code      string   `json:"code,omitempty"`
	Reactions []string `json:"reactions,omitempty"`
	Severity  string   `json:"severity,omitempty"`
	Onset     string   `json:"onset,omitempty"`
	Recorded  string   `json:"recorded,omitempty"`
	Status    string   `json:"status"`
}

// RecordMedicine is a medicine.
type RecordMedicine struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Code       string `json:"code,omitempty"`
	Dose       string `json:"dose,omitempty"`
	Quantity   string `json:"quantity,omitempty"`
	Kind       string `json:"kind"`
	Status     string `json:"status"`
	Started    string `json:"started,omitempty"`
	Ended      string `json:"ended,omitempty"`
	LastIssued string `json:"last_issued,omitempty"`
}

// RecordProblem is a problem or condition.
type RecordProblem struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Code         string `json:"code,omitempty"`
	Status       string `json:"status"`
	Significance string `json:"significance,omitempty"`
	Onset        string `json:"onset,omitempty"`
	Ended        string `json:"ended,omitempty"`
}

// RecordImmunisation is a vaccination.
type RecordImmunisation struct {
	ID      string `json:"id"`
	Vaccine string `json:"vaccine"`
	Code    string `json:"code,omitempty"`
	Dose    string `json:"dose,omitempty"`
	Date    string `json:"date"`
	Batch   string `json:"batch,omitempty"`
}

// RecordResult is a test panel.
type RecordResult struct {
	ID      string        `json:"id"`
	Panel   string        `json:"panel"`
	Date    string        `json:"date"`
	Comment string        `json:"comment,omitempty"`
	Values  []ResultValue `json:"values"`
}

// ResultValue is one value against its range. Flag is "", "low", "high"
// or "abnormal": pages say it in words, never by colour alone.
type ResultValue struct {
	Test      string `json:"test"`
	Value     string `json:"value,omitempty"`
	Text      string `json:"text,omitempty"`
	Unit      string `json:"unit,omitempty"`
	Low       string `json:"low,omitempty"`
	High      string `json:"high,omitempty"`
	RangeText string `json:"range_text,omitempty"`
	Flag      string `json:"flag,omitempty"`
	Comment   string `json:"comment,omitempty"`
}

// RecordConsultation is a consultation or event.
type RecordConsultation struct {
	ID        string        `json:"id"`
	Date      string        `json:"date"`
	Clinician string        `json:"clinician,omitempty"`
	Role      string        `json:"role,omitempty"`
	Location  string        `json:"location,omitempty"`
	Entries   []RecordEntry `json:"entries"`
}

// RecordEntry is a line of a consultation.
type RecordEntry struct {
	Heading string `json:"heading"`
	Text    string `json:"text"`
}

// RecordDocument is a letter or document; Text is the body of a text
// document (PDFs download).
type RecordDocument struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Type        string `json:"type,omitempty"`
	Date        string `json:"date"`
	Author      string `json:"author,omitempty"`
	ContentType string `json:"content_type"`
	Text        string `json:"text,omitempty"`
}
