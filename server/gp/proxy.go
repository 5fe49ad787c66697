package gp

import (
	"context"
	"errors"
	"slices"

	"github.com/nhs-companion/companion/app/nhs"
)

// Relationship is verified proxy access: Actor may act for Patient with
// Permissions, from Start until End (inclusive; zero End means open-ended),
// unless revoked. In production it comes from NHS login's delegations
// (the Validated Relationships Service); in the sandbox, from the cast.
type Relationship struct {
	ActorNHS   string
	PatientNHS string
	// Kind is how they are related: "parent", "carer", "guardian", …
	Kind        string
	Permissions []nhs.Permission
	Start, End  Date
	// PatientBirthDate is the patient's date of birth as the relationship
	// records it (IM1 proxy linkage lists each patient with the
	// demographics the practice verified when it granted access); zero
	// when the adapter has none. The gate matches it to the patient's
	// record, so a relationship set up against the wrong NHS number shows
	// nothing of the person that number belongs to.
	PatientBirthDate Date
	// Revoked is set when the practice or the patient withdrew access; it
	// stops at once, whatever End says.
	Revoked bool
	// Regranted is set when the practice re-granted a parent's access to a
	// child past the practice's child-access age, after assessing it.
	Regranted bool
}

// Describes reports whether patient is the person the relationship is
// about: the same NHS number and, when the relationship records one, the
// same date of birth.
func (r Relationship) Describes(patient Patient) bool {
	return patient.NHSNumber == r.PatientNHS && (r.PatientBirthDate.IsZero() || r.PatientBirthDate == patient.BirthDate)
}

// Has reports whether the relationship grants p.
func (r Relationship) Has(p nhs.Permission) bool { return slices.Contains(r.Permissions, p) }

// DefaultProxyChildAge is the age at which a parent's access to a child's
// record is suspended unless the practice re-grants it.
const DefaultProxyChildAge = 11

// MaxProxyChildAge is the latest a practice may set that age to.
const MaxProxyChildAge = 16

// MinProxyAge is the youngest a proxy may be.
const MinProxyAge = 16

// ErrInvalidRelationship is returned when a relationship to be stored is
// incomplete or refers to unknown people.
var ErrInvalidRelationship = errors.New("gp: invalid relationship")

// Proxies is the part of the port that knows who may act for whom.
type Proxies interface {
	// Relationships lists the people actorNHS may act, or once could act,
	// for: ended and revoked relationships are included so callers can say
	// why access stopped. Callers decide validity.
	Relationships(ctx context.Context, actorNHS string) ([]Relationship, error)
	// ProxiesOf lists the people who may act, or once could act, for
	// patientNHS.
	ProxiesOf(ctx context.Context, patientNHS string) ([]Relationship, error)
	// AccessStamp is a token, cheaper to get than what it stands for, that
	// changes whenever what the system holds about actorNHS's access
	// changes: their own Patient record, their Relationships (added,
	// changed, revoked, ended or removed), and the Patient records of the
	// people those name. Equal stamps mean nothing of that has changed.
	AccessStamp(ctx context.Context, actorNHS string) (string, error)
}
