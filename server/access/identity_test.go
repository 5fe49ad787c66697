package access_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/internal/featuretest"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/safety"
)

// unregistered is a valid NHS number in the test range that the sandbox
// holds no record for: a carer registered with another GP system.
const unregistered = "9990000085"

func identityEnv(t *testing.T) (*featuretest.Env, *safety.Log) {
	t.Helper()
	e := featuretest.MustStart(t)
	e.Gate.Safety = safety.New(e.Redis, "t:safety:", nil, nil)
	return e, e.Gate.Safety
}

func actor(t *testing.T, e *featuretest.Env, nhsNumber string, matched bool) access.Actor {
	t.Helper()
	rec, err := e.GP.Patient(context.Background(), nhsNumber)
	if err != nil {
		t.Fatal(err)
	}
	return access.Actor{NHSNumber: nhsNumber, Subject: "sub-" + nhsNumber, ProofingLevel: "P9", BirthDate: rec.BirthDate.String(), Matched: matched}
}

// listed reports whether the practice's safety list has an identity
// mismatch with detail about the patient.
func listed(t *testing.T, l *safety.Log, patient, detail string) bool {
	t.Helper()
	events, err := l.List(context.Background(), "Z00001", 50)
	if err != nil {
		t.Fatal(err)
	}
	return slices.ContainsFunc(events, func(ev safety.Event) bool {
		return ev.Kind == safety.IdentityMismatch && ev.Patient == patient && ev.Detail == detail
	})
}

func dayBefore(d gp.Date) gp.Date {
	return gp.DateOf(time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).AddDate(0, 0, -1))
}

func TestOwnRecordMustHaveTheSignedInBirthDate(t *testing.T) {
	e, l := identityEnv(t)
	ctx := context.Background()
	a := actor(t, e, featuretest.Amara, true)
	self := e.Gate.Self(a)
	if _, err := e.Gate.Authorize(ctx, a, self, access.Need{}); err != nil {
		t.Fatalf("matching birth date refused: %v", err)
	}
	for name, birth := range map[string]string{"another day": "1988-01-01", "none": ""} {
		a.BirthDate = birth
		p, err := e.Gate.Authorize(ctx, a, self, access.Need{})
		if !errors.Is(err, access.ErrIdentityMismatch) || p != nil {
			t.Errorf("%s: %v, want identity_mismatch and no patient", name, err)
		}
		if _, err := e.Gate.Profiles(ctx, a); !errors.Is(err, access.ErrIdentityMismatch) {
			t.Errorf("%s: profiles listed (%v), want identity_mismatch", name, err)
		}
	}
	if !listed(t, l, self, "self") {
		t.Error("the mismatch was not raised to the practice")
	}
}

func TestProxyPatientMustMatchTheRelationship(t *testing.T) {
	e, l := identityEnv(t)
	ctx := context.Background()
	a := actor(t, e, featuretest.Amara, true)
	layla := e.Gate.IDs.For(featuretest.Layla)
	if _, err := e.Gate.Authorize(ctx, a, layla, access.Need{}); err != nil {
		t.Fatalf("healthy relationship refused: %v", err)
	}
	rels, err := e.GP.Relationships(ctx, featuretest.Amara)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(rels, func(r gp.Relationship) bool { return r.PatientNHS == featuretest.Layla })
	if i < 0 || rels[i].PatientBirthDate.IsZero() {
		t.Fatalf("the sandbox relationship records no birth date for Layla: %+v", rels)
	}
	// The practice set the relationship up with another child's birth
	// date: the NHS number leads to a record that is not that child's.
	r := rels[i]
	r.PatientBirthDate = dayBefore(r.PatientBirthDate)
	if err := e.GP.SetRelationship(ctx, r); err != nil {
		t.Fatal(err)
	}
	if p, err := e.Gate.Authorize(ctx, a, layla, access.Need{}); !errors.Is(err, access.ErrIdentityMismatch) || p != nil {
		t.Errorf("mismatched relationship: %v, want identity_mismatch", err)
	}
	profiles, err := e.Gate.Profiles(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	for _, pr := range profiles {
		if pr.ID == layla || pr.GivenName == "Layla" {
			t.Errorf("profiles show the unmatched patient: %+v", pr)
		}
	}
	if !listed(t, l, layla, "proxy_patient") {
		t.Error("the mismatch was not raised to the practice")
	}
	// Amara's own record is untouched.
	if _, err := e.Gate.Authorize(ctx, a, e.Gate.Self(a), access.Need{}); err != nil {
		t.Errorf("own record refused: %v", err)
	}
}

func TestProxyNotMatchedAtSignInIsMatchedOnUse(t *testing.T) {
	e, l := identityEnv(t)
	ctx := context.Background()
	george := e.Gate.IDs.For(featuretest.George)
	// Sign-in could not match Priya (the GP system did not answer): her
	// own record is checked when she acts for George.
	a := actor(t, e, featuretest.Priya, false)
	if _, err := e.Gate.Authorize(ctx, a, george, access.Need{}); err != nil {
		t.Fatalf("matching proxy refused: %v", err)
	}
	a.BirthDate = "1981-01-01" // an adult, but not the Priya of the record
	if _, err := e.Gate.Authorize(ctx, a, george, access.Need{}); !errors.Is(err, access.ErrIdentityMismatch) {
		t.Errorf("unmatched proxy: %v, want identity_mismatch", err)
	}
	if !listed(t, l, george, "proxy_actor") {
		t.Error("the mismatch was not raised to the practice")
	}
	// A carer with no record on this GP system has only the relationship
	// to go on, and it stands.
	if err := e.GP.SetRelationship(ctx, gp.Relationship{ActorNHS: unregistered, PatientNHS: featuretest.George, Kind: "carer",
		Permissions: []nhs.Permission{nhs.PermAppointments}, Start: gp.Date{Year: 2020, Month: 1, Day: 1}}); err != nil {
		t.Fatal(err)
	}
	carer := access.Actor{NHSNumber: unregistered, Subject: "sub-carer", ProofingLevel: "P9", BirthDate: "1970-05-05"}
	if _, err := e.Gate.Authorize(ctx, carer, george, access.Need{}); err != nil {
		t.Errorf("unregistered carer refused: %v", err)
	}
}
