// Package profiles is the people a signed-in person can act for (their own
// profile and those of people who gave them proxy access) and each
// patient's own access history: who used their GP services, and when.
//
// It is server-only, and must not import the HTTP package (server) or app/ui.
package profiles

import (
	"context"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/audit"
	"github.com/nhs-companion/companion/server/fault"
)

// Service lists profiles and histories. Its fields are set at wiring time.
type Service struct {
	Gate *access.Gate
	// Audit is read for the access history.
	Audit audit.Log
}

// Of is the wire form of an authorised patient.
func Of(p *access.Patient) api.Profile {
	sum := p.Summary()
	perms := make([]string, 0, 4)
	for _, x := range p.Permissions() {
		perms = append(perms, string(x))
	}
	return api.Profile{
		PatientID: p.ID(), Name: sum.Name(), GivenName: sum.GivenName, FamilyName: sum.FamilyName,
		BirthDate: sum.BirthDate.String(), Relationship: p.Relationship(), Permissions: perms, Status: string(access.Active), Self: p.Self(),
	}
}

// List is the person's profiles in wire form, marking the one the session
// acts for (actingFor, "" for themselves) as current.
func (s *Service) List(ctx context.Context, a access.Actor, actingFor string) ([]api.Profile, error) {
	list, err := s.Gate.Profiles(ctx, a)
	if err != nil {
		return nil, err
	}
	out := make([]api.Profile, 0, len(list))
	for _, x := range list {
		perms := make([]string, 0, len(x.Permissions))
		for _, p := range x.Permissions {
			perms = append(perms, string(p))
		}
		current := x.ID == actingFor || (x.Self && actingFor == "")
		out = append(out, api.Profile{
			PatientID: x.ID, Name: x.GivenName + " " + x.FamilyName, GivenName: x.GivenName, FamilyName: x.FamilyName,
			BirthDate: x.BirthDate.String(), Relationship: x.Kind, Permissions: perms, Status: string(x.Status), Self: x.Self, Current: current,
		})
	}
	return out, nil
}

// activityLimit is how many events the access history shows.
const activityLimit = 100

// shownActions are the audited actions a patient sees in their history:
// access to their data, not the plumbing.
var shownActions = map[string]bool{
	"switch_profile": true, "view_appointments": true, "book": true, "cancel": true,
	"view_prescriptions": true, "order_prescription": true, "change_pharmacy": true,
	"view_record": true, "export_record": true, "contact_practice": true, "contact_red_flag": true,
}

// Activity is the patient's access history: successful accesses to their
// data, naming who acted.
func (s *Service) Activity(ctx context.Context, p *access.Patient) ([]api.ActivityEvent, error) {
	events, err := s.Audit.ForPatient(ctx, p.ID(), "", activityLimit*2)
	if err != nil {
		return nil, fault.Unreachable(err)
	}
	rels, err := p.Proxies(ctx)
	if err != nil {
		return nil, err
	}
	type who struct{ name, kind string }
	names := map[string]who{}
	for _, rel := range rels {
		name, err := p.PersonName(ctx, rel)
		if err != nil {
			continue
		}
		names[p.ActorIDOf(rel)] = who{name, rel.Kind}
	}
	out := []api.ActivityEvent{}
	for _, e := range events {
		if e.Outcome != "success" || !shownActions[e.Action] || len(out) == activityLimit {
			continue
		}
		ev := api.ActivityEvent{Time: e.Time.UnixMilli(), Action: e.Action, Self: e.ActorPatient == p.ID()}
		if !ev.Self {
			if w, ok := names[e.ActorPatient]; ok {
				ev.Who, ev.Relationship = w.name, w.kind
			}
		}
		out = append(out, ev)
	}
	return out, nil
}
