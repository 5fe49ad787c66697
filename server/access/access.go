// Package access decides, per request, whether the signed-in person may reach
// a patient's data: session user → verified relationship (self, or proxy with
// the permission) → identity proofing → feature flag for the patient's
// practice. It is the only way to get a *Patient, and a *Patient is the only
// way to reach patient data in the GP system, so no handler can read a
// record it was not authorised for.
//
// It is server-only: app/... must never import it.
package access

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/internal/bounded"
	"github.com/nhs-companion/companion/server/audit"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/flags"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/safety"
)

// Refusals, as the error table answers them.
var (
	// ErrNotFound: no such patient, or not one the person may act for (the
	// two are indistinguishable on purpose).
	ErrNotFound = fault.ErrNotFound
	// ErrForbidden: the relationship lacks the permission, or the resource
	// is the patient's own only.
	ErrForbidden = fault.ErrForbidden
	// ErrProofingLevel: the person proved their identity only to P5.
	ErrProofingLevel = fault.ErrProofingLevel
	// ErrFeatureDisabled: the feature is off for the patient's practice.
	ErrFeatureDisabled = fault.ErrFeatureDisabled
	// ErrUnavailable: the GP system could not answer.
	ErrUnavailable = fault.ErrUnavailable
)

// Actor is the signed-in person, as their session knows them.
type Actor struct {
	NHSNumber     string
	Subject       string
	ProofingLevel string
	// BirthDate is YYYY-MM-DD, from NHS login: proxies must be adults, and
	// it must match the person's own GP record.
	BirthDate string
	// Matched: sign-in matched the person to their own GP record.
	Matched bool
}

// Need is what a page or API needs of the person acting for a patient.
type Need struct {
	// Feature is the flag that must be on for the patient's practice
	// ("" for none).
	Feature flags.Name
	// Permission is what a proxy's relationship must grant ("" for any
	// live relationship). People acting for themselves hold every one.
	Permission nhs.Permission
	// P9 requires high identity proofing (clinical data).
	P9 bool
	// SelfOnly refuses proxies (a patient's own access history).
	SelfOnly bool
}

// FlagChecker evaluates feature flags (flags.Store).
type FlagChecker interface {
	Enabled(ctx context.Context, name flags.Name, sub flags.Subject) bool
}

// flagOutage is a FlagChecker that can say its rules cannot be read now.
type flagOutage interface {
	Down(ctx context.Context) bool
}

// featureOff is the refusal for a feature evaluated off: not available,
// or, when the flags could not be read at all (a store failing over),
// unavailable for now, so the person is told to try again rather than that
// the feature is gone. Either way nothing is reached.
func (g *Gate) featureOff(ctx context.Context) error {
	if o, ok := g.Flags.(flagOutage); ok && o.Down(ctx) {
		return fault.ErrUnavailable
	}
	return ErrFeatureDisabled
}

// Gate authorises access to patients. Its fields are set at wiring time.
type Gate struct {
	GP    gp.System
	IDs   *IDs
	Flags FlagChecker
	// Safety is told of identity mismatches (nil: told nothing).
	Safety *safety.Log
	// Now is the clock (time.Now outside tests).
	Now func() time.Time

	practices sync.Map // ODS code → practiceEntry
	// views are the people's access views, by NHS number (beyond the
	// bound they are made again from the GP system).
	views bounded.Map[string, *view]
}

// practiceTTL is how long a practice record is remembered: its board and
// child-access age change rarely, and every request needs them.
const practiceTTL = 5 * time.Minute

type practiceEntry struct {
	p       gp.Practice
	fetched time.Time
}

func (g *Gate) now() time.Time {
	if g.Now == nil {
		return time.Now()
	}
	return g.Now()
}

// today is the date in the UK, where ages and access dates are counted.
func (g *Gate) today() gp.Date { return gp.DateOf(g.now().In(gp.UK)) }

// Practice returns a practice, remembering it for practiceTTL.
func (g *Gate) Practice(ctx context.Context, ods string) (gp.Practice, error) {
	if v, ok := g.practices.Load(ods); ok && g.now().Sub(v.(practiceEntry).fetched) < practiceTTL {
		return v.(practiceEntry).p, nil
	}
	p, err := g.GP.Practice(ctx, ods)
	if err != nil {
		return gp.Practice{}, err
	}
	g.practices.Store(ods, practiceEntry{p: p, fetched: g.now()})
	return p, nil
}

// Status says whether a relationship gives access today, and if not, why.
type Status string

// Relationship statuses.
const (
	Active Status = "active"
	// NotStarted: the relationship starts in the future.
	NotStarted Status = "not_started"
	// Ended: past its end date.
	Ended Status = "ended"
	// Revoked: withdrawn by the practice or the patient.
	Revoked Status = "revoked"
	// SuspendedAge: a parent's access to a child who has reached the
	// practice's child-access age, not re-granted.
	SuspendedAge Status = "suspended_age"
	// ProxyTooYoung: the proxy is under 16 (or their age is unknown).
	ProxyTooYoung Status = "proxy_too_young"
	// Unmatched: the patient's GP record does not have the date of birth
	// the relationship records for them.
	Unmatched Status = "identity_mismatch"
)

// StatusOf applies the access rules to a relationship on a day: the
// patient's identity, dates, revocation, the proxy's age and the practice's
// child-access age.
func StatusOf(r gp.Relationship, actorBirth gp.Date, patient gp.Patient, practice gp.Practice, today gp.Date) Status {
	switch {
	case !r.Describes(patient):
		return Unmatched
	case r.Revoked:
		return Revoked
	case today.Before(r.Start):
		return NotStarted
	case !r.End.IsZero() && r.End.Before(today):
		return Ended
	case actorBirth.IsZero() || actorBirth.AgeOn(today) < gp.MinProxyAge:
		return ProxyTooYoung
	case r.Kind == "parent" && !r.Regranted && patient.BirthDate.AgeOn(today) >= practice.ChildAge():
		return SuspendedAge
	}
	return Active
}

// Patient is a patient the person has been authorised to reach, for one
// need. It carries the patient's NHS number unexported: data about the
// patient comes only through its methods.
type Patient struct {
	gate     *Gate
	actor    Actor
	need     Need
	id       string
	nhs      string
	record   gp.Patient
	practice gp.Practice
	rel      *gp.Relationship
}

// Authorize resolves pid for the actor and checks need. Refusals are
// ErrNotFound, ErrForbidden, ErrProofingLevel or ErrFeatureDisabled, in that
// order of precedence, so nothing is said about a patient the person may
// not act for.
func (g *Gate) Authorize(ctx context.Context, a Actor, pid string, need Need) (*Patient, error) {
	target, err := g.IDs.NHSNumber(pid)
	if err != nil {
		return nil, ErrNotFound
	}
	p := &Patient{gate: g, actor: a, need: need, id: pid, nhs: target}
	v, err := g.view(ctx, a.NHSNumber)
	if err != nil {
		return nil, err
	}
	if target != a.NHSNumber {
		i := slices.IndexFunc(v.rels, func(r gp.Relationship) bool { return r.PatientNHS == target })
		if i < 0 {
			return nil, ErrNotFound
		}
		rel := v.rels[i]
		p.rel = &rel
	}
	var ok bool
	if p.record, ok = v.patient(target); !ok {
		return nil, ErrNotFound
	}
	if p.practice, err = g.Practice(ctx, p.record.PracticeODS); err != nil {
		return nil, unavailable(err)
	}
	if err := g.matches(ctx, p, v); err != nil {
		return nil, err
	}
	gp.NoteRegistration(ctx, target, p.record.PracticeODS)
	if p.rel != nil {
		birth, _ := gp.ParseDate(a.BirthDate)
		if StatusOf(*p.rel, birth, p.record, p.practice, g.today()) != Active {
			return nil, ErrNotFound
		}
	}
	return p.check(ctx, need, true)
}

// Narrow authorises the same patient for another need (a page that shows
// more than one feature's data) without asking the GP system again: the
// relationship, its permissions and the practice's flags are checked
// anew, the patient's record is not re-read.
func (p *Patient) Narrow(ctx context.Context, need Need) (*Patient, error) {
	return p.check(ctx, need, false)
}

// check applies need to a patient whose relationship is live: permission,
// identity proofing, then the flags of the patient's practice (and, on
// first authorising a proxy, linked profiles).
func (p *Patient) check(ctx context.Context, need Need, first bool) (*Patient, error) {
	g := p.gate
	if p.rel != nil && (need.SelfOnly || (need.Permission != "" && !grants(*p.rel, need.Permission))) {
		return nil, ErrForbidden
	}
	if need.P9 && p.actor.ProofingLevel != "P9" {
		return nil, ErrProofingLevel
	}
	sub := p.subject()
	if first && p.rel != nil && !g.Flags.Enabled(ctx, flags.LinkedProfiles, sub) {
		return nil, g.featureOff(ctx)
	}
	if need.Feature != "" && !g.Flags.Enabled(ctx, need.Feature, sub) {
		return nil, g.featureOff(ctx)
	}
	q := *p
	q.need = need
	return &q, nil
}

// grants reports whether a relationship grants perm: the full record
// includes its summary.
func grants(r gp.Relationship, perm nhs.Permission) bool {
	return r.Has(perm) || (perm == nhs.PermRecordSummary && r.Has(nhs.PermFullRecord))
}

func unavailable(err error) error { return fault.Unreachable(err) }

// Self returns the ID of the actor's own record.
func (g *Gate) Self(a Actor) string { return g.IDs.For(a.NHSNumber) }

func (p *Patient) subject() flags.Subject {
	return flags.Subject{PatientID: p.id, ODS: p.practice.ODS, ICB: p.practice.ICB}
}

// ID is the patient's opaque ID.
func (p *Patient) ID() string { return p.id }

// ActorID is the opaque ID of the acting person's own record, for audit.
func (p *Patient) ActorID() string { return p.gate.IDs.For(p.actor.NHSNumber) }

// Actor is who is acting.
func (p *Patient) Actor() Actor { return p.actor }

// Self reports whether the person is acting for themselves.
func (p *Patient) Self() bool { return p.rel == nil }

// Relationship is how the actor is related to the patient ("" for self).
func (p *Patient) Relationship() string {
	if p.rel == nil {
		return ""
	}
	return p.rel.Kind
}

// Permissions lists what the actor may do for the patient: everything for
// themselves (clinical parts still need P9), the relationship's otherwise.
func (p *Patient) Permissions() []nhs.Permission {
	if p.rel == nil {
		return slices.Clone(nhs.Permissions)
	}
	return slices.Clone(p.rel.Permissions)
}

// Summary is who the patient is, as pages name them.
type Summary struct {
	GivenName, FamilyName string
	BirthDate             gp.Date
	Practice              gp.Practice
}

// Name is the patient's full name.
func (s Summary) Name() string { return s.GivenName + " " + s.FamilyName }

// Summary names the patient and their practice.
func (p *Patient) Summary() Summary {
	return Summary{GivenName: p.record.GivenName, FamilyName: p.record.FamilyName, BirthDate: p.record.BirthDate, Practice: p.practice}
}

// Flag evaluates another feature flag for this patient's practice (to show
// or hide links; access itself was decided by Authorize).
func (p *Patient) Flag(ctx context.Context, name flags.Name) bool {
	return p.gate.Flags.Enabled(ctx, name, p.subject())
}

// granted panics unless the patient was authorised for perm: a handler
// reaching for data its route did not declare is a programming error, and
// failing loudly in tests is better than a quiet leak in production.
func (p *Patient) granted(perm nhs.Permission) {
	if p.need.Permission != perm {
		panic(fmt.Sprintf("access: data needing %q used under a grant for %q", perm, p.need.Permission))
	}
}

// Proxies lists who may, or once could, act for the patient, for the
// patient's own access history. Only the patient themselves may see it.
func (p *Patient) Proxies(ctx context.Context) ([]gp.Relationship, error) {
	if !p.need.SelfOnly || !p.Self() {
		panic("access: proxies of a patient read under a grant that is not the patient's own")
	}
	return p.gate.GP.ProxiesOf(ctx, p.nhs)
}

// PersonName returns the name of someone who acts for the patient (from
// Proxies), for the patient's access history.
func (p *Patient) PersonName(ctx context.Context, r gp.Relationship) (string, error) {
	if r.PatientNHS != p.nhs {
		return "", ErrNotFound
	}
	who, err := p.gate.GP.Patient(ctx, r.ActorNHS)
	if err != nil {
		return "", err
	}
	return who.GivenName + " " + who.FamilyName, nil
}

// ActorIDOf is the opaque ID of a proxy's own record (to match audit events).
func (p *Patient) ActorIDOf(r gp.Relationship) string { return p.gate.IDs.For(r.ActorNHS) }

// Event is an audit event about an action on this patient's data, with the
// actor and the patient kept apart.
func (p *Patient) Event(action, outcome, reason, object string) audit.Event {
	return audit.Event{Action: action, Outcome: outcome, Reason: reason, Object: object,
		Actor: p.actor.Subject, ActorPatient: p.ActorID(), Patient: p.id}
}

// Outcome is an audit outcome and reason for an action that ended with err:
// "success", or "refused" with the refusal's stable code.
func Outcome(err error) (outcome, reason string) {
	if err == nil {
		return "success", ""
	}
	return "refused", fault.Code(err)
}
