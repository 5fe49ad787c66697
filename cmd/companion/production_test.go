package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/server/gp/sandbox"
)

// TestProductionJourney (make e2e-production) starts, all on loopback, a
// private redis-server, a real OpenID Provider as NHS login and another as
// NHS CIS2, the FHIR test server behind mutual TLS, and the Companion
// binary with COMPANION_ENV=production: https PUBLIC_URL with a
// certificate made here, PATIENT_ID_KEY, GP_SYSTEM=fhir and no sandbox
// part. It drives a whole journey over HTTPS, printing one line per step
// and the totals.
func TestProductionJourney(t *testing.T) {
	p := startProduction(t)
	j := &journey{t: t}
	defer j.total()

	j.step("Companion runs in production mode: ready over HTTPS, HSTS sent, no sandbox part served", func() error {
		res, _, err := newAgent(p.base, p.pki.Pool).get("/readyz")
		if err != nil || res.StatusCode != 200 {
			return fmt.Errorf("/readyz: %s", answer(res, err))
		}
		if res.Header.Get("Strict-Transport-Security") == "" {
			return errors.New("no Strict-Transport-Security")
		}
		if res, _, _ := newAgent(p.base, p.pki.Pool).get("/sandbox-login/.well-known/openid-configuration"); res == nil || res.StatusCode != 404 {
			return errors.New("the sandbox NHS login answers")
		}
		return nil
	})
	j.step("The GP system refuses a caller without Companion's client certificate", func() error {
		res, err := newAgent(p.fhirBase, p.pki.Pool).c.Get(p.fhirBase + "/metadata")
		if err == nil {
			res.Body.Close()
			return fmt.Errorf("answered %s", res.Status)
		}
		return nil
	})

	sam := newAgent(p.base, p.pki.Pool)
	j.step("Sam, a clinician at Z00001, signs in with NHS CIS2 and is its site admin", func() error {
		res, err := sam.signIn("/staff/login?return=/admin", "sam")
		if err != nil || res.StatusCode != 200 || res.Request.URL.Path != "/admin" {
			return fmt.Errorf("sign-in: %s", answer(res, err))
		}
		_, page, err := sam.get("/admin")
		if err != nil || !strings.Contains(page, "Site administrator") || !strings.Contains(page, sandbox.PilotPractice) {
			return fmt.Errorf("/admin does not show a site admin of %s (%v)", sandbox.PilotPractice, err)
		}
		return nil
	})
	j.step("Sam switches the pilot's features on for Z00001, with a reason", func() error {
		for _, f := range []string{"appointments", "prescriptions", "record", "fhir_export", "linked_profiles", "online_consultation"} {
			body := map[string]any{"practice": sandbox.PilotPractice, "enabled": true, "reason": "Go-live at Z00001"}
			if err := sam.call("PUT", "/api/v1/admin/flags/"+f, body, nil, 200); err != nil {
				return err
			}
		}
		return nil
	})

	amara := newAgent(p.base, p.pki.Pool)
	var me api.Me
	j.step("Amara signs in with NHS login (P9) and is matched to her GP record", func() error {
		if res, err := amara.signIn("/auth/login", "amara"); err != nil || res.StatusCode != 200 {
			return fmt.Errorf("sign-in: %s", answer(res, err))
		}
		// A flag change reaches every process within a second.
		for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			if err := amara.call("GET", "/api/v1/me", nil, &me, 200); err != nil {
				return err
			}
			if me.Features["appointments"] && me.Features["online_consultation"] || time.Now().After(deadline) {
				break
			}
		}
		if me.Name != "Amara Okafor" || me.PatientID == "" || !me.Features["appointments"] {
			return fmt.Errorf("me: %+v", me)
		}
		return nil
	})
	pid := "/api/v1/patients/" + me.PatientID
	var slots []api.Slot
	j.step("Amara lists free GP slots, read from the FHIR server", func() error {
		if err := amara.call("GET", pid+"/slots?type=gp", nil, &slots, 200); err != nil {
			return err
		}
		if len(slots) == 0 {
			return errors.New("no free slots")
		}
		return nil
	})
	var booked api.Appointment
	j.step("Amara books one", func() error {
		if len(slots) == 0 {
			return errors.New("no slot to book")
		}
		req := api.BookRequest{SlotID: slots[len(slots)-1].ID, Reason: "Knee pain"}
		if err := amara.call("POST", pid+"/appointments", req, &booked, 201, "Idempotency-Key", "e2e-amara-1"); err != nil {
			return err
		}
		if booked.ID == "" || booked.Status != "booked" {
			return fmt.Errorf("booked: %+v", booked)
		}
		return nil
	})
	j.step("Amara fetches the appointment's calendar file", func() error {
		res, body, err := amara.get("/appointments/" + booked.ID + "/calendar.ics")
		if err != nil || res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/calendar") {
			return fmt.Errorf("calendar: %s", answer(res, err))
		}
		for _, want := range []string{"BEGIN:VCALENDAR", "BEGIN:VEVENT", "DTSTART", "END:VCALENDAR"} {
			if !strings.Contains(body, want) {
				return fmt.Errorf("calendar file has no %s", want)
			}
		}
		return nil
	})
	j.step("Amara cancels it", func() error {
		if err := amara.call("DELETE", pid+"/appointments/"+booked.ID, nil, nil, 200); err != nil {
			return err
		}
		var d api.Diary
		if err := amara.call("GET", pid+"/appointments", nil, &d, 200); err != nil {
			return err
		}
		for _, a := range d.Upcoming {
			if a.ID == booked.ID && a.Status != "cancelled" {
				return errors.New("still booked")
			}
		}
		return nil
	})
	j.step("Amara orders a repeat prescription", func() error {
		var repeats []api.Repeat
		if err := amara.call("GET", pid+"/repeats", nil, &repeats, 200); err != nil {
			return err
		}
		i := slices.IndexFunc(repeats, func(r api.Repeat) bool { return r.State == "orderable" })
		if i < 0 {
			return fmt.Errorf("nothing orderable among %d repeats", len(repeats))
		}
		order := api.OrderRequest{MedicationIDs: []string{repeats[i].ID}}
		if err := amara.call("POST", pid+"/prescription-requests", order, nil, 201, "Idempotency-Key", "e2e-rx-1"); err != nil {
			return err
		}
		var reqs []api.PrescriptionRequest
		if err := amara.call("GET", pid+"/prescription-requests", nil, &reqs, 200); err != nil {
			return err
		}
		if !slices.ContainsFunc(reqs, func(r api.PrescriptionRequest) bool { return r.RepeatID == repeats[i].ID }) {
			return fmt.Errorf("the order is not among her requests: %+v", reqs)
		}
		return nil
	})
	j.step("Amara reads her allergies and test results", func() error {
		var rec api.Record
		if err := amara.call("GET", pid+"/record", nil, &rec, 200); err != nil {
			return err
		}
		if len(rec.Allergies) == 0 || len(rec.Results) == 0 || len(rec.Results[0].Values) == 0 {
			return fmt.Errorf("%d allergies, %d results", len(rec.Allergies), len(rec.Results))
		}
		return nil
	})
	j.step("Amara exports her record as a FHIR R4 Bundle", func() error {
		var b struct {
			ResourceType string `json:"resourceType"`
			Entry        []struct {
				Resource struct {
					ResourceType string `json:"resourceType"`
				} `json:"resource"`
			} `json:"entry"`
		}
		if err := amara.call("GET", pid+"/record.fhir", nil, &b, 200); err != nil {
			return err
		}
		kinds := map[string]bool{}
		for _, e := range b.Entry {
			kinds[e.Resource.ResourceType] = true
		}
		if b.ResourceType != "Bundle" || !kinds["Patient"] || !kinds["AllergyIntolerance"] || !kinds["Observation"] {
			return fmt.Errorf("export: %s with %v", b.ResourceType, kinds)
		}
		return nil
	})
	var sent api.ContactRequest
	j.step("Amara asks her practice for a fit note", func() error {
		req := api.ContactSubmit{Kind: "admin", Topic: "fit_note", Text: "I need a fit note for work, please."}
		return amara.call("POST", pid+"/contact-requests", req, &sent, 201, "Idempotency-Key", "e2e-contact-1")
	})

	priya := newAgent(p.base, p.pki.Pool)
	j.step("Priya signs in and books for George, whom she cares for", func() error {
		if res, err := priya.signIn("/auth/login", "priya"); err != nil || res.StatusCode != 200 {
			return fmt.Errorf("sign-in: %s", answer(res, err))
		}
		var pm api.Me
		if err := priya.call("GET", "/api/v1/me", nil, &pm, 200); err != nil {
			return err
		}
		i := slices.IndexFunc(pm.LinkedProfiles, func(l api.Profile) bool { return l.GivenName == "George" })
		if i < 0 {
			return fmt.Errorf("George is not among %+v", pm.LinkedProfiles)
		}
		george := "/api/v1/patients/" + pm.LinkedProfiles[i].PatientID
		var gs []api.Slot
		if err := priya.call("GET", george+"/slots?type=gp", nil, &gs, 200); err != nil {
			return err
		}
		if len(gs) < 2 {
			return fmt.Errorf("%d slots for George", len(gs))
		}
		var a api.Appointment
		req := api.BookRequest{SlotID: gs[len(gs)-2].ID, Reason: "Review of his tablets"}
		if err := priya.call("POST", george+"/appointments", req, &a, 201, "Idempotency-Key", "e2e-george-1"); err != nil {
			return err
		}
		var d api.Diary
		if err := priya.call("GET", george+"/appointments", nil, &d, 200); err != nil {
			return err
		}
		if !slices.ContainsFunc(d.Upcoming, func(u api.Appointment) bool { return u.ID == a.ID && u.Status == "booked" }) {
			return errors.New("George's appointment is not listed")
		}
		return nil
	})
	j.step("Sam sees Amara's request in the inbox and replies", func() error {
		var box api.Inbox
		if err := sam.call("GET", "/api/v1/admin/inbox", nil, &box, 200); err != nil {
			return err
		}
		if !slices.ContainsFunc(box.Items, func(i api.InboxItem) bool { return i.Request.ID == sent.ID && i.Patient == "Amara Okafor" }) {
			return fmt.Errorf("not in the inbox: %+v", box.Items)
		}
		return replyAndSee(sam, amara, pid, sent.ID)
	})
	j.step("The FHIR server holds the result: one Appointment more booked, one cancelled", func() error {
		booked, err := countFHIR(p.fhirDirect, "Appointment?status=booked")
		if err != nil {
			return err
		}
		cancelled, err := countFHIR(p.fhirDirect, "Appointment?status=cancelled")
		if err != nil {
			return err
		}
		if booked != p.booked+1 || cancelled != p.cancelled+1 {
			return fmt.Errorf("booked %d→%d, cancelled %d→%d", p.booked, booked, p.cancelled, cancelled)
		}
		return nil
	})
	j.step("The audit trail in PostgreSQL holds the journey, its chain intact (companion audit-verify)", func() error {
		cmd := exec.Command(p.bin, "audit-verify")
		cmd.Env = append(os.Environ(), "DATABASE_URL="+p.database)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "chain intact") {
			return fmt.Errorf("%v: %s", err, out)
		}
		db, err := pgx.Connect(t.Context(), p.database)
		if err != nil {
			return err
		}
		defer db.Close(t.Context())
		rows, err := db.Query(t.Context(), "SELECT DISTINCT action FROM audit_events WHERE outcome = 'success'")
		if err != nil {
			return err
		}
		actions, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		for _, want := range []string{"sign_in", "book", "cancel", "order_prescription", "view_record", "export_record", "contact_practice", "contact_respond", "flag_change"} {
			if !slices.Contains(actions, want) {
				return fmt.Errorf("no %s in the audit trail (it has %v)", want, actions)
			}
		}
		if !strings.Contains(string(out), "audit trail intact") {
			return fmt.Errorf("audit-verify: %s", out)
		}
		return nil
	})
	j.step("Every call to the GP system went over mutual TLS; the logs hold no NHS number", func() error {
		if p.mtlsCalls.Load() == 0 {
			return errors.New("no call reached the GP system")
		}
		if strings.Contains(p.logs(), "999000") {
			return errors.New("an NHS number is in the logs")
		}
		return nil
	})
}
