package main

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/internal/redistest"
	"github.com/nhs-companion/companion/server/pg/pgtest"
)

// TestClusterServesTheSandboxJourney starts the binary as `make run` does,
// but with REDIS_CLUSTER_ADDRS (a private cluster of three masters and
// three replicas) and DATABASE_URL: two processes share them, and Amara's
// journey crosses from one to the other. She signs in, books and cancels,
// orders a repeat, reads her record and asks her practice a question; Sam
// replies from the inbox; Amara's access history lists it all, and
// `companion audit-verify` finds the trail's chain intact.
func TestClusterServesTheSandboxJourney(t *testing.T) {
	bin := buildBinary(t)
	c := redistest.MustStartCluster(t)
	database := pgtest.MustDatabase(t)
	// The practice takes online requests whenever the test runs.
	env := []string{"REDIS_CLUSTER_ADDRS=" + strings.Join(c.Addrs(), ","), "DATABASE_URL=" + database,
		"CONTACT_HOURS=Mon-Sun 00:00-24:00", "CONTACT_BANK_HOLIDAYS_OPEN=true"}
	a := startProcess(t, bin, "", env...)
	b := startProcess(t, bin, "", env...)

	// One browser: the cookie jar is per host, so the session made on a
	// is sent to b too.
	amara := newAgent(a, nil)
	sam := newAgent(b, nil)
	j := &journey{t: t}
	defer j.total()
	var pid string
	j.step("Amara signs in on one process", func() error {
		res, _, err := amara.get("/auth/login?login_hint=9990000018")
		if err != nil || res.StatusCode != 200 {
			return fmt.Errorf("sign-in: %s", answer(res, err))
		}
		var me api.Me
		if err := amara.call("GET", "/api/v1/me", nil, &me, 200); err != nil {
			return err
		}
		pid = "/api/v1/patients/" + me.PatientID
		return nil
	})
	amara.base = b
	j.step("On the other she books a time and cancels it", func() error {
		var slots []api.Slot
		if err := amara.call("GET", pid+"/slots?type=gp", nil, &slots, 200); err != nil {
			return err
		}
		if len(slots) == 0 {
			return errors.New("no slots")
		}
		var booked api.Appointment
		if err := amara.call("POST", pid+"/appointments", api.BookRequest{SlotID: slots[len(slots)-1].ID, Reason: "Knee pain"}, &booked, 201,
			"Idempotency-Key", "cluster-book-1"); err != nil {
			return err
		}
		var again api.Appointment
		if err := amara.call("POST", pid+"/appointments", api.BookRequest{SlotID: slots[len(slots)-1].ID, Reason: "Knee pain"}, &again, 201,
			"Idempotency-Key", "cluster-book-1"); err != nil || again.ID != booked.ID {
			return fmt.Errorf("the retry with the same key: %v, %s and %s", err, again.ID, booked.ID)
		}
		var d api.Diary
		if err := amara.call("GET", pid+"/appointments", nil, &d, 200); err != nil {
			return err
		}
		if !slices.ContainsFunc(d.Upcoming, func(u api.Appointment) bool { return u.ID == booked.ID }) {
			return errors.New("the booking is not listed")
		}
		return amara.call("DELETE", pid+"/appointments/"+url.PathEscape(booked.ID), nil, nil, 200)
	})
	j.step("She orders a repeat prescription and reads her record", func() error {
		var repeats []api.Repeat
		if err := amara.call("GET", pid+"/repeats", nil, &repeats, 200); err != nil {
			return err
		}
		i := slices.IndexFunc(repeats, func(r api.Repeat) bool { return r.State == "orderable" })
		if i < 0 {
			return errors.New("nothing to order")
		}
		if err := amara.call("POST", pid+"/prescription-requests", api.OrderRequest{MedicationIDs: []string{repeats[i].ID}}, nil, 201,
			"Idempotency-Key", "cluster-order-1"); err != nil {
			return err
		}
		return amara.call("GET", pid+"/record", nil, nil, 200)
	})
	var sent api.ContactRequest
	j.step("She asks her practice for a fit note", func() error {
		req := api.ContactSubmit{Kind: "admin", Topic: "fit_note", Text: "I need a fit note for work, please."}
		return amara.call("POST", pid+"/contact-requests", req, &sent, 201, "Idempotency-Key", "cluster-contact-1")
	})
	j.step("Sam replies from the inbox, and Amara sees the reply", func() error {
		if res, _, err := sam.get("/staff/login?login_hint=staff-site-z00001"); err != nil || res.StatusCode != 200 {
			return fmt.Errorf("staff sign-in: %s", answer(res, err))
		}
		return replyAndSee(sam, amara, pid, sent.ID)
	})
	j.step("Her access history lists the journey, and the audit chain is intact", func() error {
		var activity []api.ActivityEvent
		if err := amara.call("GET", pid+"/activity", nil, &activity, 200); err != nil {
			return err
		}
		var actions []string
		for _, e := range activity {
			actions = append(actions, e.Action)
		}
		for _, want := range []string{"book", "cancel", "order_prescription", "view_record", "contact_practice"} {
			if !slices.Contains(actions, want) {
				return fmt.Errorf("no %s among %v", want, actions)
			}
		}
		cmd := exec.Command(bin, "audit-verify")
		cmd.Env = append(os.Environ(), "DATABASE_URL="+database)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "chain intact") {
			return fmt.Errorf("audit-verify: %v: %s", err, out)
		}
		return nil
	})
}
