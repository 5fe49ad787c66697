package identity

import (
	"context"
	"errors"
	"log/slog"

	"github.com/nhs-companion/companion/server/audit"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/safety"
)

// Records is the part of the GP system sign-in reads: a patient's record.
type Records interface {
	Patient(ctx context.Context, nhsNumber string) (gp.Patient, error)
}

// PatientIDs gives a patient's opaque ID (access.IDs), for audit and safety
// events, which never carry an NHS number.
type PatientIDs interface {
	For(nhsNumber string) string
}

// SignIn matches people signing in to their GP record. Its fields are set
// at wiring time.
type SignIn struct {
	GP     Records
	IDs    PatientIDs
	Audit  *audit.Trail
	Safety *safety.Log
	Log    *slog.Logger
}

// Check matches the person NHS login returned (subject is their NHS login
// subject) to the GP record of their NHS number. It reports whether they
// were matched: false, and no error, when the GP system holds no record
// for them (a carer registered elsewhere) or did not answer, when the
// access gate matches on each request instead. A different date of birth is
// ErrMismatch, audited and raised to the practice; a different family name
// is audited and raised as a warning, and the sign-in goes on.
func (s *SignIn) Check(ctx context.Context, c Claim, subject string) (matched bool, err error) {
	rec, err := s.GP.Patient(ctx, c.NHSNumber)
	if errors.Is(err, gp.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		s.Log.WarnContext(ctx, "sign-in identity match deferred: GP system did not answer", "err", err)
		return false, nil
	}
	pid := s.IDs.For(c.NHSNumber)
	res, err := Match(c, rec)
	if err != nil {
		s.Audit.Record(ctx, audit.Event{Action: "identity_mismatch", Outcome: "refused", Reason: "birth_date", Actor: subject, Patient: pid})
		s.Safety.Raise(ctx, safety.Event{Kind: safety.IdentityMismatch, Practice: rec.PracticeODS, Patient: pid, Detail: "sign_in"})
		return false, err
	}
	if res.NameDiffers {
		s.Audit.Record(ctx, audit.Event{Action: "identity_name_differs", Outcome: "success", Reason: "family_name", Actor: subject, Patient: pid})
		s.Safety.Raise(ctx, safety.Event{Kind: safety.NameDiffers, Practice: rec.PracticeODS, Patient: pid, Detail: "sign_in"})
	}
	return true, nil
}
