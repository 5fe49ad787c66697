package gp

import (
	"context"
	"errors"
	"time"
)

// ErrSlotTaken is returned when someone else already holds the slot: the
// patient should pick another, not retry.
var ErrSlotTaken = errors.New("gp: slot taken")

// ErrBookingLimit is returned when the patient already holds as many future
// appointments as the practice allows.
var ErrBookingLimit = errors.New("gp: booking limit reached")

// ErrTooLate is returned when a slot or appointment is inside the practice's
// cut-off: the practice must be phoned instead.
var ErrTooLate = errors.New("gp: too late")

// ErrAlreadyCancelled is returned when cancelling an appointment that is no
// longer booked, so a repeated request cannot be mistaken for a new one.
var ErrAlreadyCancelled = errors.New("gp: already cancelled")

// Clinician is a member of practice staff patients can be booked with.
type Clinician struct {
	ID   string
	Name string
	Role string // e.g. "GP", "Practice nurse", "Healthcare assistant"
}

// SlotType is what a slot is for; patients pick it before they pick a time.
type SlotType string

// The slot types the port knows.
const (
	SlotGP        SlotType = "gp"
	SlotNurse     SlotType = "nurse"
	SlotBloodTest SlotType = "blood_test"
)

// Mode is how the appointment takes place.
type Mode string

// The modes the port knows.
const (
	ModeInPerson  Mode = "in_person"
	ModeTelephone Mode = "telephone"
	ModeVideo     Mode = "video"
)

// Slot is a bookable period in a practice's diary.
type Slot struct {
	ID          string
	PracticeODS string
	Start, End  time.Time
	Type        SlotType
	Mode        Mode
	Clinician   Clinician
	Location    string // where to go, for in-person slots
}

// AppointmentStatus is where an appointment stands.
type AppointmentStatus string

// The statuses an appointment can have.
const (
	StatusBooked    AppointmentStatus = "booked"
	StatusCancelled AppointmentStatus = "cancelled"
)

// Appointment is a patient's hold on a slot. Cancelled appointments are kept
// so the patient's history stays whole.
type Appointment struct {
	ID          string
	PatientNHS  string
	Slot        Slot
	Reason      string
	Status      AppointmentStatus
	BookedAt    time.Time
	CancelledAt time.Time
	// BookedBy, CancelledBy and MovedBy are opaque ids of who acted (the
	// patient or a proxy), for the practice's audit trail; they may be
	// empty.
	BookedBy, CancelledBy, MovedBy string
	// Sequence counts the times the appointment was moved to another slot
	// (it keeps its ID): a calendar's SEQUENCE for the same event.
	Sequence int
}

// SlotQuery selects free slots. Empty filters match anything; From and To
// are required so a query can never ask for a whole diary.
type SlotQuery struct {
	Practice    string
	From, To    time.Time
	Type        SlotType
	ClinicianID string
	Mode        Mode
}

// Booking asks for a slot. The caller passes the practice's rules as Limit
// and NotBefore so the GP system can enforce them in the same atomic step
// as taking the slot.
type Booking struct {
	PatientNHS, PracticeODS, SlotID, Reason, Actor string
	// Key identifies the request to book (its Idempotency-Key; may be
	// empty): an adapter whose GP system can lose an answer after the
	// write uses it so a retry of the same request finds the booking it
	// made instead of booking twice.
	Key string
	// Limit is the most future booked appointments the patient may hold;
	// zero or less means no limit.
	Limit int
	// NotBefore is the earliest start the slot may have, else ErrTooLate.
	NotBefore time.Time
}

// Cancellation asks to cancel one of the patient's appointments.
type Cancellation struct {
	PatientNHS, AppointmentID, Actor string
	// NotBefore is the earliest start the appointment may have for it to be
	// cancelled online, else ErrTooLate.
	NotBefore time.Time
}

// Move asks to move one of the patient's booked appointments to another
// slot at its practice: the new slot is taken and the old one freed in one
// atomic step, or nothing changes.
type Move struct {
	PatientNHS, AppointmentID, SlotID, Actor string
	// CancelFrom is the earliest start the appointment may have for it to
	// be moved online, and NotBefore the earliest the new slot may have;
	// else ErrTooLate.
	CancelFrom, NotBefore time.Time
}

// BookingRules are a practice's online booking rules; practices differ.
type BookingRules struct {
	MaxFuture      int           // future appointments a patient may hold
	BookCutoff     time.Duration // no booking of slots starting sooner than this
	CancelCutoff   time.Duration // no online cancelling of appointments starting sooner
	ReasonMax      int           // longest reason, in characters
	ReasonRequired bool
}

// DefaultBookingRules apply where a practice sets none.
var DefaultBookingRules = BookingRules{
	MaxFuture: 2, BookCutoff: 30 * time.Minute, CancelCutoff: time.Hour, ReasonMax: 500,
}

// Earliest is the soonest start a slot booked at now may have: the booking
// cut-off, applied the same way to what people are shown, what they choose
// and what the GP system is asked to book.
func (r BookingRules) Earliest(now time.Time) time.Time { return now.Add(r.BookCutoff) }

// CancelFrom is the soonest start an appointment cancelled online at now may
// have.
func (r BookingRules) CancelFrom(now time.Time) time.Time { return now.Add(r.CancelCutoff) }

// Cancellable reports whether an appointment can still be cancelled online
// at now.
func (r BookingRules) Cancellable(a Appointment, now time.Time) bool {
	return a.Status == StatusBooked && a.Slot.Start.After(r.CancelFrom(now))
}

// MaxReason is the longest reason the practice takes, in characters.
func (r BookingRules) MaxReason() int {
	if r.ReasonMax <= 0 {
		return DefaultBookingRules.ReasonMax
	}
	return r.ReasonMax
}

// Appointments is the diary part of the port. Book and Cancel are atomic in
// the GP system, so no rush of requests can double-book a slot or exceed a
// limit.
type Appointments interface {
	// Clinicians lists the practice's bookable staff.
	Clinicians(ctx context.Context, ods string) ([]Clinician, error)
	// Slots lists free slots matching q, ordered by start.
	Slots(ctx context.Context, q SlotQuery) ([]Slot, error)
	// Slot returns one slot and whether it is free, or ErrNotFound.
	Slot(ctx context.Context, ods, id string) (Slot, bool, error)
	// Book takes a slot for a patient registered at its practice: ErrNotFound
	// (no such slot or patient there), ErrTooLate, ErrSlotTaken or
	// ErrBookingLimit.
	Book(ctx context.Context, b Booking) (Appointment, error)
	// Cancel cancels one of the patient's appointments and frees its slot:
	// ErrNotFound (none, or someone else's), ErrAlreadyCancelled or
	// ErrTooLate.
	Cancel(ctx context.Context, c Cancellation) (Appointment, error)
	// Reschedule moves one of the patient's booked appointments to a free
	// slot at its practice, keeping its ID and reason, as one atomic step:
	// ErrNotFound (no such appointment of theirs, or no such slot),
	// ErrAlreadyCancelled, ErrTooLate (the appointment or the slot inside
	// its cut-off) or ErrSlotTaken, and then the appointment is untouched.
	// Moving it to the slot it is already on (a retry) returns it.
	Reschedule(ctx context.Context, m Move) (Appointment, error)
	// Appointments lists all the patient's appointments, booked and
	// cancelled, past and future, ordered by start.
	Appointments(ctx context.Context, patientNHS string) ([]Appointment, error)
}
