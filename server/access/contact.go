package access

import (
	"context"

	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/gp"
)

// Contact is sending online requests to the patient's practice, reachable
// only from a patient authorised for the appointments permission (a carer
// who may book for someone may also ask their practice for them).
type Contact struct {
	p   *Patient
	sys gp.Contact
}

// Contact returns the patient's requests to their practice. It panics unless
// the patient was authorised for appointments (see granted).
func (p *Patient) Contact() Contact {
	p.granted(nhs.PermAppointments)
	return Contact{p: p, sys: p.gate.GP}
}

// Practice is the patient's practice, which the requests go to.
func (c Contact) Practice() gp.Practice { return c.p.practice }

// Child reports whether the patient is under age years old today.
func (c Contact) Child(age int) bool { return c.p.record.BirthDate.AgeOn(c.p.gate.today()) < age }

// Requests lists the patient's requests, newest first.
func (c Contact) Requests(ctx context.Context) ([]gp.ContactRequest, error) {
	return c.sys.ContactRequests(ctx, c.p.nhs)
}

// Submit sends a request to the patient's practice, recording who sent it.
func (c Contact) Submit(ctx context.Context, req gp.ContactRequest) (gp.ContactRequest, error) {
	req.PatientNHS, req.PracticeODS, req.SubmittedBy = c.p.nhs, c.p.practice.ODS, c.p.ActorID()
	return c.sys.SubmitContact(ctx, req)
}
