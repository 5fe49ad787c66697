// Package fhir is the GP-system adapter for any FHIR R4 server: practices,
// patients, diaries and appointments read and written through FHIR's
// RESTful API (README "Connecting a FHIR R4 GP system" lists the resources
// and search parameters it needs). It passes the gptest contract suite
// against a real FHIR server (fhirtest, Medplum's engine).
//
// How Companion's port maps onto FHIR:
//   - a practice is an Organization with an ODS code and the ODS role
//     RO76; a pharmacy, one with role RO182;
//   - a patient is a Patient with an NHS number whose generalPractitioner
//     is their practice's Organization;
//   - a clinician is a PractitionerRole at the practice (its Practitioner
//     gives the name, its code the role); their diary is one Schedule per
//     place (actor: the PractitionerRole and, for in-person sessions, the
//     room's Location);
//   - a slot is a Slot (serviceType: Companion's slot type;
//     appointmentType: how it takes place); booking is one transaction
//     that marks the Slot busy, conditional on the version read, and
//     creates the Appointment, conditional on an identifier derived from
//     the booking, so a retried booking can never book twice;
//   - a remote-monitoring reading is a vital-signs Observation in the
//     record export's shape, tagged as a home reading (monitoring.go).
//
// It is server-only: app/... must never import it.
package fhir

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/nhs-companion/companion/server/gp"
)

// Identifier and code systems the adapter reads and writes.
const (
	NHSNumberSystem = "https://fhir.nhs.uk/Id/nhs-number"
	ODSSystem       = "https://fhir.nhs.uk/Id/ods-organization-code"
	// ODSRoleSystem codes an Organization's ODS role: RO76 is a GP
	// practice, RO182 a pharmacy.
	ODSRoleSystem = "https://digital.nhs.uk/services/organisation-data-service/CodeSystem/ODSOrganisationRole"
	RolePractice  = "RO76"
	RolePharmacy  = "RO182"
	// SlotTypeSystem codes Companion's slot types (gp.SlotType) in
	// Slot.serviceType and Appointment.serviceType.
	SlotTypeSystem = "https://companion.nhs.uk/fhir/CodeSystem/slot-type"
	// ModeSystem codes how an appointment takes place (gp.Mode) in
	// appointmentType.
	ModeSystem = "https://companion.nhs.uk/fhir/CodeSystem/delivery-channel"
	// BookingSystem identifies an Appointment by the booking that made it.
	BookingSystem = "https://companion.nhs.uk/fhir/Id/booking"
	// Extensions on Appointment for the practice's audit trail.
	ExtBookedBy    = "https://companion.nhs.uk/fhir/StructureDefinition/booked-by"
	ExtCancelledBy = "https://companion.nhs.uk/fhir/StructureDefinition/cancelled-by"
	ExtCancelledAt = "https://companion.nhs.uk/fhir/StructureDefinition/cancelled-at"
	// ExtMovedBy and ExtMovedAt say who last moved an Appointment to
	// another Slot, and when; ExtSequence (valueInteger) counts its moves.
	ExtMovedBy  = "https://companion.nhs.uk/fhir/StructureDefinition/moved-by"
	ExtMovedAt  = "https://companion.nhs.uk/fhir/StructureDefinition/moved-at"
	ExtSequence = "https://companion.nhs.uk/fhir/StructureDefinition/sequence"
)

// Config is how to reach the FHIR server.
type Config struct {
	// BaseURL is the FHIR base, e.g. https://gp.example/fhir/R4.
	BaseURL string
	// HTTPClient sends requests (http.DefaultClient when nil).
	HTTPClient *http.Client
	// Timeout bounds each call (5 s when zero).
	Timeout time.Duration
	// Retries are the waits before each retry of a safe read (100 ms and
	// 400 ms when nil; empty for none).
	Retries []time.Duration
	// Token, when set, gives the bearer token for each request.
	Token func(ctx context.Context) (string, error)
	// Now gives the current time (time.Now when nil).
	Now func() time.Time
	// DirectoryTTL is how long practices, clinicians and schedules are
	// remembered (1 minute when zero).
	DirectoryTTL time.Duration
	// MaxConcurrent bounds the calls in flight at once (32 when zero);
	// more wait, within their context's deadline.
	MaxConcurrent int
	// BreakerThreshold is how many calls for a practice in a row may fail
	// to get an answer before its circuit opens (5 when zero), and
	// BreakerCooldown how long it stays open (30 s when zero).
	BreakerThreshold int
	BreakerCooldown  time.Duration
}

// The adapter offers the whole port.
var _ gp.System = (*System)(nil)

// System is the FHIR R4 GP system.
type System struct {
	c    *client
	now  func() time.Time
	ttl  time.Duration
	mu   sync.Mutex
	orgs map[string]cached[practiceInfo] // by ODS code
}

// cached is a remembered value and when it was fetched.
type cached[T any] struct {
	v  T
	at time.Time
}

// New returns the adapter for the FHIR server cfg names.
func New(cfg Config) (*System, error) {
	if !strings.HasPrefix(cfg.BaseURL, "https://") && !strings.HasPrefix(cfg.BaseURL, "http://") {
		return nil, errors.New("fhir: BaseURL must be an http(s) URL")
	}
	c := &client{base: strings.TrimRight(cfg.BaseURL, "/"), http: cfg.HTTPClient, timeout: cfg.Timeout, retries: cfg.Retries, token: cfg.Token}
	if c.http == nil {
		c.http = http.DefaultClient
	}
	if c.timeout == 0 {
		c.timeout = 5 * time.Second
	}
	if cfg.Retries == nil {
		c.retries = []time.Duration{100 * time.Millisecond, 400 * time.Millisecond}
	}
	s := &System{c: c, now: cfg.Now, ttl: cfg.DirectoryTTL, orgs: map[string]cached[practiceInfo]{}}
	if s.now == nil {
		s.now = time.Now
	}
	c.slots = make(chan struct{}, cmp.Or(cfg.MaxConcurrent, 32))
	c.breaker = &breaker{threshold: cmp.Or(cfg.BreakerThreshold, 5), cooldown: cmp.Or(cfg.BreakerCooldown, 30*time.Second),
		now: s.now, circuits: map[string]*circuit{}}
	if s.ttl == 0 {
		s.ttl = time.Minute
	}
	return s, nil
}

// bookingKey derives the identifier of the Appointment a booking makes
// from the request (its Idempotency-Key, who made it, for whom) and the
// slot: a retry of the request derives the same key, so its conditional
// create finds the first attempt's Appointment. With no Key, every call is
// a request of its own. It is a hash, so the identifier holds no NHS
// number.
func bookingKey(b gp.Booking, slotID string) string {
	k := b.Key
	if k == "" {
		var r [16]byte
		rand.Read(r[:])
		k = "once:" + hex.EncodeToString(r[:])
	}
	h := sha256.Sum256([]byte(k + "\x00" + b.Actor + "\x00" + b.PatientNHS + "\x00" + slotID))
	return hex.EncodeToString(h[:16])
}

func ref(typ, id string) string { return typ + "/" + id }

// idOf returns the id of a reference of type typ ("" when it is another).
func idOf(r reference, typ string) string {
	id, ok := strings.CutPrefix(r.Reference, typ+"/")
	if !ok {
		if i := strings.Index(r.Reference, "/"+typ+"/"); i >= 0 {
			id, ok = r.Reference[i+len(typ)+2:], true
		}
	}
	if !ok {
		return ""
	}
	id, _, _ = strings.Cut(id, "/_history")
	return id
}
