package access

import (
	"context"
	"time"

	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/gp"
)

// Diary is a patient's appointments in the GP system, reachable only from a
// patient authorised for the appointments permission.
type Diary struct {
	p   *Patient
	sys gp.Appointments
}

// Diary returns the patient's appointments. It panics unless the patient
// was authorised for appointments (see granted).
func (p *Patient) Diary() Diary {
	p.granted(nhs.PermAppointments)
	return Diary{p: p, sys: p.gate.GP}
}

// Rules are the patient's practice's booking rules.
func (d Diary) Rules() gp.BookingRules { return d.p.practice.Booking }

// Zone is the time zone the practice keeps its diary in.
func (d Diary) Zone() *time.Location { return d.p.practice.Location() }

// Practice is the ODS code of the patient's practice, whose diary this is.
func (d Diary) Practice() string { return d.p.practice.ODS }

// Slots lists free slots at the patient's practice.
func (d Diary) Slots(ctx context.Context, q gp.SlotQuery) ([]gp.Slot, error) {
	q.Practice = d.p.practice.ODS
	return d.sys.Slots(ctx, q)
}

// Slot returns one slot at the patient's practice and whether it is free.
func (d Diary) Slot(ctx context.Context, id string) (gp.Slot, bool, error) {
	return d.sys.Slot(ctx, d.p.practice.ODS, id)
}

// Clinicians lists the practice's clinicians.
func (d Diary) Clinicians(ctx context.Context) ([]gp.Clinician, error) {
	return d.sys.Clinicians(ctx, d.p.practice.ODS)
}

// Appointments lists the patient's appointments.
func (d Diary) Appointments(ctx context.Context) ([]gp.Appointment, error) {
	return d.sys.Appointments(ctx, d.p.nhs)
}

// Book books a slot for the patient, within the practice's limit, no later
// than notBefore allows. The actor is recorded as who booked; key is the
// request's Idempotency-Key (may be empty), so a retried request cannot
// book twice even when the GP system's answer to the first was lost.
func (d Diary) Book(ctx context.Context, slotID, reason, key string, notBefore time.Time) (gp.Appointment, error) {
	return d.sys.Book(ctx, gp.Booking{
		PatientNHS: d.p.nhs, PracticeODS: d.p.practice.ODS, SlotID: slotID, Reason: reason, Key: key,
		Actor: d.p.ActorID(), Limit: d.Rules().MaxFuture, NotBefore: notBefore,
	})
}

// Cancel cancels one of the patient's appointments.
func (d Diary) Cancel(ctx context.Context, appointmentID string, notBefore time.Time) (gp.Appointment, error) {
	return d.sys.Cancel(ctx, gp.Cancellation{PatientNHS: d.p.nhs, AppointmentID: appointmentID, Actor: d.p.ActorID(), NotBefore: notBefore})
}

// Reschedule moves one of the patient's appointments to another slot, the
// appointment no later than cancelFrom allows and the slot no later than
// notBefore.
func (d Diary) Reschedule(ctx context.Context, appointmentID, slotID string, cancelFrom, notBefore time.Time) (gp.Appointment, error) {
	return d.sys.Reschedule(ctx, gp.Move{
		PatientNHS: d.p.nhs, AppointmentID: appointmentID, SlotID: slotID, Actor: d.p.ActorID(),
		CancelFrom: cancelFrom, NotBefore: notBefore,
	})
}
