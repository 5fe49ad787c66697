package gp

import (
	"context"
	"errors"
	"time"
)

// ErrAlreadyResponded is returned when responding to a request the practice
// has already responded to.
var ErrAlreadyResponded = errors.New("gp: already responded")

// ContactKind is what an online request to the practice is about.
type ContactKind string

// The kinds of online request.
const (
	// ContactMedical is a new or ongoing medical problem; it is screened
	// for emergencies first.
	ContactMedical ContactKind = "medical"
	// ContactMedication is a question about a medicine.
	ContactMedication ContactKind = "medication"
	// ContactAdmin is an admin request: a fit note, a letter, a test
	// result query or anything else.
	ContactAdmin ContactKind = "admin"
)

// ContactKinds lists every kind, in the order patients are offered them.
var ContactKinds = []ContactKind{ContactMedical, ContactMedication, ContactAdmin}

// ContactStatus is where a request stands at the practice.
type ContactStatus string

// The statuses of a request.
const (
	ContactReceived  ContactStatus = "received"
	ContactResponded ContactStatus = "responded"
)

// Answer is one structured question and the patient's answer, both as the
// patient saw them (in their language), so the practice reads what they
// were asked.
type Answer struct {
	Question string
	Answer   string
}

// ContactRequest is an online request from a patient (or someone acting for
// them) to their practice.
type ContactRequest struct {
	ID          string
	PatientNHS  string
	PracticeODS string
	Kind        ContactKind
	// Topic narrows an admin request: "fit_note", "letter", "test_result"
	// or "other" (empty for the other kinds).
	Topic   string
	Answers []Answer
	// Text is the patient's own words.
	Text string
	// Screening is the version of the emergency questions the patient
	// answered "no" to (medical requests only).
	Screening string
	// SubmittedBy is the opaque id of who sent it (the patient or a proxy).
	SubmittedBy string
	Submitted   time.Time
	// ReplyBy is when the practice promised to reply by.
	ReplyBy     time.Time
	Status      ContactStatus
	Reply       string
	Responded   time.Time
	RespondedBy string // the member of staff
}

// Contact is the online-consultation part of the port: requests land
// in the practice's inbox.
type Contact interface {
	// SubmitContact records a request in its practice's inbox and
	// returns it with its ID and status: ErrNotFound unless the patient is
	// registered at c.PracticeODS.
	SubmitContact(ctx context.Context, c ContactRequest) (ContactRequest, error)
	// ContactRequests lists the patient's requests, newest first.
	ContactRequests(ctx context.Context, patientNHS string) ([]ContactRequest, error)
}

// Inbox is the practice's side of online consultation, for its staff.
type Inbox interface {
	// Inbox lists the practice's requests, newest first.
	Inbox(ctx context.Context, ods string) ([]ContactRequest, error)
	// Respond records the practice's reply: ErrNotFound (no such request at
	// that practice) or ErrAlreadyResponded.
	Respond(ctx context.Context, ods, id, reply, staff string) (ContactRequest, error)
}
