package consult_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/internal/featuretest"
	"github.com/nhs-companion/companion/server/consult"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/safety"
)

type labels struct{}

func (labels) Question(key string) string           { return key }
func (labels) Answer(question, value string) string { return value }

// TestRedFlagsAndFullDaysAreRaised: an emergency stop and a patient turned
// away by a full day are safety events the practice sees.
func TestRedFlagsAndFullDaysAreRaised(t *testing.T) {
	e := featuretest.MustStart(t)
	ctx := context.Background()
	always, err := consult.ParseWindows("Mon-Sun 00:00-24:00")
	if err != nil {
		t.Fatal(err)
	}
	set := consult.Settings{Windows: always, BankHolidaysOpen: true, Caps: map[gp.ContactKind]int{gp.ContactAdmin: 1}}
	log := safety.New(e.Redis, "t:safety:", time.Now, e.Log)
	s := &consult.Service{Store: consult.NewStore(e.Redis, "t:contact:", set, time.Hour), Idem: e.Idem, Audit: e.Trail, Log: e.Log, Safety: log}
	amara := e.Patient(t, featuretest.Amara, featuretest.Amara, consult.Need)

	urgent := api.ContactSubmit{Kind: "medical", Screening: map[string]string{}, Duration: "days", Trend: "worse", Text: "chest pain"}
	for _, q := range consult.Screening.For(false) {
		urgent.Screening[q.ID] = "no"
	}
	urgent.Screening["chest_pain"] = "yes"
	if _, err := s.Send(ctx, amara, labels{}, urgent, "k1", "test"); !errors.Is(err, consult.ErrUrgent999) {
		t.Fatalf("chest pain: %v, want the 999 stop", err)
	}
	admin := api.ContactSubmit{Kind: "admin", Topic: "letter", Text: "A letter for my employer, please."}
	if _, err := s.Send(ctx, amara, labels{}, admin, "k2", "test"); err != nil {
		t.Fatalf("first admin request: %v", err)
	}
	priya := e.Patient(t, featuretest.Priya, featuretest.Priya, consult.Need)
	if _, err := s.Send(ctx, priya, labels{}, admin, "k3", "test"); !errors.Is(err, consult.ErrDayFull) {
		t.Fatalf("over the cap: %v, want the day full", err)
	}
	events, err := log.List(ctx, "Z00001", 10)
	if err != nil {
		t.Fatal(err)
	}
	has := func(kind safety.Kind, patient, detail string) bool {
		return slices.ContainsFunc(events, func(ev safety.Event) bool {
			return ev.Kind == kind && ev.Patient == patient && ev.Detail == detail
		})
	}
	if !has(safety.RedFlag, amara.ID(), "999") {
		t.Errorf("red flag not raised: %+v", events)
	}
	if !has(safety.CapReached, "", "admin") {
		t.Errorf("full day not raised: %+v", events)
	}
	if len(events) != 2 {
		t.Errorf("%d events, want 2: %+v", len(events), events)
	}
}
