package access

import (
	"context"

	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/gp"
)

// Prescriptions is a patient's repeat prescriptions in the GP system,
// reachable only from a patient authorised for the prescriptions permission.
type Prescriptions struct {
	p   *Patient
	sys gp.System
}

// Prescriptions returns the patient's repeat prescriptions. It panics unless
// the patient was authorised for prescriptions (see granted).
func (p *Patient) Prescriptions() Prescriptions {
	p.granted(nhs.PermPrescriptions)
	return Prescriptions{p: p, sys: p.gate.GP}
}

// Rules are the patient's practice's rules for ordering, with defaults
// filled in.
func (x Prescriptions) Rules() gp.PrescriptionRules {
	r := x.p.practice.Prescribing
	if r.EarlyDays <= 0 {
		r.EarlyDays = gp.DefaultPrescriptionRules.EarlyDays
	}
	if r.NoteMax <= 0 {
		r.NoteMax = gp.DefaultPrescriptionRules.NoteMax
	}
	return r
}

// Today is the date at the patient's practice, which due and review dates
// are counted in.
func (x Prescriptions) Today() gp.Date { return x.p.gate.today() }

// Repeats lists the patient's repeat medicines.
func (x Prescriptions) Repeats(ctx context.Context) ([]gp.Repeat, error) {
	return x.sys.Repeats(ctx, x.p.nhs)
}

// Requests lists the patient's prescription requests, newest first.
func (x Prescriptions) Requests(ctx context.Context) ([]gp.Request, error) {
	return x.sys.PrescriptionRequests(ctx, x.p.nhs)
}

// Order orders repeat medicines for the patient, to be sent to the pharmacy
// with the ODS code given. The actor is recorded as who ordered.
func (x Prescriptions) Order(ctx context.Context, repeatIDs []string, note, pharmacy string) ([]gp.Request, error) {
	return x.sys.Order(ctx, gp.Order{
		PatientNHS: x.p.nhs, PracticeODS: x.p.practice.ODS, RepeatIDs: repeatIDs, Note: note,
		PharmacyODS: pharmacy, Actor: x.p.ActorID(), EarlyDays: x.Rules().EarlyDays, Today: x.Today(),
	})
}

// Nominated returns the patient's nominated pharmacy, and false if none.
func (x Prescriptions) Nominated(ctx context.Context) (gp.Pharmacy, bool, error) {
	return x.sys.NominatedPharmacy(ctx, x.p.nhs)
}

// Nominate changes the patient's nominated pharmacy.
func (x Prescriptions) Nominate(ctx context.Context, ods string) (gp.Pharmacy, error) {
	return x.sys.Nominate(ctx, x.p.nhs, ods, x.p.ActorID())
}
