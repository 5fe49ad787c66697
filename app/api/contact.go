package api

import "time"

// ContactRecent is how long a request to the practice stays on the home
// page after it was sent or answered.
const ContactRecent = 14 * 24 * time.Hour

// ContactKindState is whether one kind of request can be sent now.
type ContactKindState struct {
	// Kind is "medical", "medication" or "admin".
	Kind string `json:"kind"`
	Open bool   `json:"open"`
	// Why it is not open: "full" (the practice's daily limit for this kind)
	// or "patient_limit" (the patient's own daily limit).
	Why string `json:"why,omitempty"`
}

// ContactAvailability is whether the practice takes online requests now,
// and if not, why and when it opens again.
type ContactAvailability struct {
	Open bool `json:"open"`
	// Why is "outside_hours", "bank_holiday" or "suspended" when closed.
	Why         string `json:"why,omitempty"`
	BankHoliday string `json:"bank_holiday,omitempty"`
	// Suspended is the practice's reason for pausing requests.
	Suspended string `json:"suspended,omitempty"`
	// Reopens is when it opens again (Unix ms; 0 when not known).
	Reopens int64              `json:"reopens,omitempty"`
	Kinds   []ContactKindState `json:"kinds"`
	// Hours describes the practice's opening windows ("Mon-Fri 08:00-18:30").
	Hours    string `json:"hours"`
	Practice string `json:"practice"`
	Phone    string `json:"phone"`
}

// ContactAnswer is a structured question and its answer, as the patient
// saw them.
type ContactAnswer struct {
	Question string `json:"question"`
	Answer   string `json:"answer"`
}

// ContactRequest is a request sent to the practice, and its reply.
type ContactRequest struct {
	ID      string          `json:"id"`
	Kind    string          `json:"kind"`
	Topic   string          `json:"topic,omitempty"`
	Answers []ContactAnswer `json:"answers,omitempty"`
	Text    string          `json:"text"`
	Sent    int64           `json:"sent"`     // Unix ms
	ReplyBy int64           `json:"reply_by"` // Unix ms: the practice's promise
	// Status is "received" or "responded".
	Status    string `json:"status"`
	Reply     string `json:"reply,omitempty"`
	Responded int64  `json:"responded,omitempty"` // Unix ms
}

// ContactSubmit is POST /api/v1/patients/{pid}/contact-requests.
type ContactSubmit struct {
	// Kind is "medical", "medication" or "admin".
	Kind string `json:"kind"`
	// Screening answers the emergency questions ("yes" or "no" by question
	// ID): required for medical requests.
	Screening map[string]string `json:"screening,omitempty"`
	// Duration ("days", "week", "month", "longer") and Trend ("better",
	// "same", "worse") describe a medical problem.
	Duration string `json:"duration,omitempty"`
	Trend    string `json:"trend,omitempty"`
	// Medicine names the medicine a medication question is about.
	Medicine string `json:"medicine,omitempty"`
	// Topic is an admin request's: "fit_note", "letter", "test_result" or
	// "other".
	Topic string `json:"topic,omitempty"`
	Text  string `json:"text"`
}

// ContactList is GET /api/v1/patients/{pid}/contact-requests.
type ContactList struct {
	Availability ContactAvailability `json:"availability"`
	Requests     []ContactRequest    `json:"requests"`
}

// ScreenQuestion is one emergency question, in the page's language.
type ScreenQuestion struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// ContactStep is a page of contacting the practice.
type ContactStep string

// The contact steps: the questions in order, then the two ends a request
// can come to (urgent advice instead, or sent).
const (
	ContactStart   ContactStep = "start"
	ContactScreen  ContactStep = "screen"
	ContactDetails ContactStep = "details"
	ContactCheck   ContactStep = "check"
	ContactUrgent  ContactStep = "urgent"
	ContactSent    ContactStep = "sent"
)

// ContactSteps are the question steps, in order.
var ContactSteps = []ContactStep{ContactStart, ContactScreen, ContactDetails, ContactCheck}

// ContactURL is the address of a contact step.
func ContactURL(step ContactStep) string {
	if step == ContactStart {
		return "/contact"
	}
	return "/contact?step=" + string(step)
}

// ContactForm is the state of the contact pages: which step, the answers so
// far and the choices for the step.
type ContactForm struct {
	Step         ContactStep         `json:"step"`
	Patient      string              `json:"patient"`
	Availability ContactAvailability `json:"availability"`
	Kind         string              `json:"kind,omitempty"`
	Topic        string              `json:"topic,omitempty"`
	Duration     string              `json:"duration,omitempty"`
	Trend        string              `json:"trend,omitempty"`
	Medicine     string              `json:"medicine,omitempty"`
	Text         string              `json:"text,omitempty"`
	TextMax      int                 `json:"text_max"`
	Questions    []ScreenQuestion    `json:"questions,omitempty"`
	Screening    map[string]string   `json:"screening,omitempty"`
	// Advice is "999" or "111" on the urgent step.
	Advice         string          `json:"advice,omitempty"`
	IdempotencyKey string          `json:"idempotency_key,omitempty"`
	Errors         []FieldError    `json:"errors,omitempty"`
	Sent           *ContactRequest `json:"sent,omitempty"`
}

// InboxItem is a request in a practice's inbox, with who it is from.
type InboxItem struct {
	Request   ContactRequest `json:"request"`
	Patient   string         `json:"patient"`
	BirthDate string         `json:"birthdate"`
	// ByProxy is set when someone acting for the patient sent it.
	ByProxy bool `json:"by_proxy,omitempty"`
}

// SafetyEvent is a clinical safety event a practice's staff must see: a
// red-flag stop ("red_flag", Detail "999" or "111"), an identity mismatch
// ("identity_mismatch", Detail where it was found), a family name that
// differs from the record ("name_differs"), a daily cap reached
// ("cap_reached", Detail the kind of request) or the GP system not
// answering ("gp_outage").
type SafetyEvent struct {
	Kind   string `json:"kind"`
	Detail string `json:"detail,omitempty"`
	// At is when, in Unix milliseconds.
	At int64 `json:"at"`
	// Patient names the patient concerned, as the GP record does ("" for
	// none).
	Patient   string `json:"patient,omitempty"`
	BirthDate string `json:"birthdate,omitempty"`
}

// Inbox is a practice's online requests, for its staff.
type Inbox struct {
	Practice     string      `json:"practice"`
	PracticeName string      `json:"practice_name"`
	Items        []InboxItem `json:"items"`
	// Safety lists the practice's recent clinical safety events, newest
	// first.
	Safety []SafetyEvent `json:"safety"`
	// Readings are the practice's monitored patients with a red or amber
	// reading not yet reviewed, red first.
	Readings []MonitoredPatient `json:"readings,omitempty"`
	// ReadingsUnavailable: the readings could not be read just now.
	ReadingsUnavailable bool                `json:"readings_unavailable,omitempty"`
	Availability        ContactAvailability `json:"availability"`
	// MaxSuspension is the longest a practice may pause requests, in
	// minutes.
	MaxSuspension int             `json:"max_suspension"`
	Settings      ContactSettings `json:"settings"`
	Errors        []FieldError    `json:"errors,omitempty"`
}

// ContactSettings are a practice's opening windows, daily caps and
// per-patient limit for online requests.
type ContactSettings struct {
	// Hours are the opening windows, e.g. "Mon-Fri 08:00-18:30".
	Hours            string         `json:"hours"`
	BankHolidaysOpen bool           `json:"bank_holidays_open"`
	Caps             map[string]int `json:"caps"`
	PatientDaily     int            `json:"patient_daily"`
	// Reason is why they changed (required to change them).
	Reason string `json:"reason,omitempty"`
}
