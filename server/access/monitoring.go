package access

import (
	"context"
	"time"

	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/gp"
)

// Monitoring is the patient's remote-monitoring readings, reachable only
// from a patient authorised for the monitoring permission: a proxy sends
// and sees readings only when the relationship grants it.
type Monitoring struct {
	p   *Patient
	sys gp.Monitoring
}

// Monitoring returns the patient's readings. It panics unless the patient
// was authorised for monitoring (see granted).
func (p *Patient) Monitoring() Monitoring {
	p.granted(nhs.PermMonitoring)
	return Monitoring{p: p, sys: p.gate.GP}
}

// NHSNumber is the patient's NHS number, the key of their plan.
func (m Monitoring) NHSNumber() string { return m.p.nhs }

// Readings lists the patient's readings taken since, newest first.
func (m Monitoring) Readings(ctx context.Context, since time.Time) ([]gp.Reading, error) {
	return m.sys.Readings(ctx, m.p.nhs, since)
}

// Record stores a reading for the patient at their practice, sent by
// whoever is acting.
func (m Monitoring) Record(ctx context.Context, r gp.Reading) (gp.Reading, error) {
	r.PatientNHS, r.PracticeODS, r.SubmittedBy = m.p.nhs, m.p.practice.ODS, m.p.ActorID()
	return m.sys.RecordReading(ctx, r)
}
