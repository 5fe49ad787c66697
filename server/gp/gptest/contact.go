package gptest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nhs-companion/companion/server/gp"
)

// ContactFixture names what the online-consultation contract needs. The
// suite submits requests and replies to them, so give it a system of its
// own (System), keeping real time.
type ContactFixture struct {
	// Patient and OtherPatient are registered at Practice.
	Patient, OtherPatient, Practice string
	// OtherPractice is another practice the system serves, where Patient
	// is not registered.
	OtherPractice string
	// System, if set, gives the part a system of its own: Run calls it
	// with the part's subtest instead of using its own system.
	System func(t *testing.T) gp.System
	// Unsupported, if set, declares that the adapter does not offer this
	// part, and why; Run then skips it with that reason, and the other
	// fields must be left empty.
	Unsupported string
}

// runContact checks the online-consultation part of the port: the patient's
// side (Contact) and the practice's (Inbox).
func runContact(t *testing.T, sys gp.System, fx ContactFixture) {
	ctx := context.Background()
	if fx.Patient == "" || fx.OtherPatient == "" || fx.Practice == "" || fx.OtherPractice == "" || fx.OtherPractice == fx.Practice {
		t.Fatalf("ContactFixture needs two patients, their practice and another practice: %+v", fx)
	}

	var errs []error // every error the port returns, checked for NHS numbers
	note := func(err error) error {
		if err != nil {
			errs = append(errs, err)
		}
		return err
	}
	requests := func(t *testing.T, patient string) []gp.ContactRequest {
		t.Helper()
		list, err := sys.ContactRequests(ctx, patient)
		if note(err) != nil {
			t.Fatalf("ContactRequests: %v", err)
		}
		return list
	}
	inbox := func(t *testing.T, ods string) []gp.ContactRequest {
		t.Helper()
		list, err := sys.Inbox(ctx, ods)
		if note(err) != nil {
			t.Fatalf("Inbox(%s): %v", ods, err)
		}
		return list
	}
	find := func(list []gp.ContactRequest, id string) int {
		return slices.IndexFunc(list, func(r gp.ContactRequest) bool { return r.ID == id })
	}
	const (
		actor = "actor-contact-contract"
		staff = "staff-contact-contract"
	)
	// Whole seconds, so an adapter may keep times to the second.
	submitted := time.Now().Truncate(time.Second)

	var mine gp.ContactRequest
	t.Run("Submit", func(t *testing.T) {
		beforeMine, beforeInbox := requests(t, fx.Patient), inbox(t, fx.Practice)
		in := gp.ContactRequest{
			PatientNHS: fx.Patient, PracticeODS: fx.Practice, Kind: gp.ContactMedical,
			Answers: []gp.Answer{
				{Question: "What is the problem?", Answer: "A rash on my arm"},
				{Question: "How long have you had it?", Answer: "Two weeks"},
			},
			Text: "It is itchy and spreading.", Screening: "emergency-v1", SubmittedBy: actor,
			Submitted: submitted, ReplyBy: submitted.Add(48 * time.Hour),
			// A caller cannot choose the ID or forge a reply.
			ID: "chosen-by-the-caller", Status: gp.ContactResponded, Reply: "forged",
			Responded: submitted, RespondedBy: "forged",
		}
		got, err := sys.SubmitContact(ctx, in)
		if note(err) != nil {
			t.Fatalf("SubmitContact: %v", err)
		}
		want := in
		want.ID, want.Status, want.Reply, want.Responded, want.RespondedBy = got.ID, gp.ContactReceived, "", time.Time{}, ""
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("SubmitContact returned (-want +got):\n%s", diff)
		}
		if got.ID == "" || got.ID == in.ID || HasNHSNumber(got.ID) {
			t.Errorf("request ID %q: empty, the caller's, or holds an NHS number", got.ID)
		}
		after := requests(t, fx.Patient)
		if len(after) != len(beforeMine)+1 || find(after, got.ID) != 0 {
			t.Fatalf("patient's requests: %d, then %d, new one at %d; want one more, listed first",
				len(beforeMine), len(after), find(after, got.ID))
		}
		if diff := cmp.Diff(got, after[0]); diff != "" {
			t.Errorf("listed request differs from the submitted (-submitted +listed):\n%s", diff)
		}
		box := inbox(t, fx.Practice)
		if len(box) != len(beforeInbox)+1 || find(box, got.ID) != 0 {
			t.Fatalf("practice inbox: %d, then %d, new one at %d; want one more, listed first",
				len(beforeInbox), len(box), find(box, got.ID))
		}
		if diff := cmp.Diff(got, box[0]); diff != "" {
			t.Errorf("request in the inbox differs from the submitted (-submitted +inbox):\n%s", diff)
		}
		mine = got
	})
	if mine.ID == "" {
		t.Fatal("no request submitted; the rest of the suite depends on it")
	}

	var theirs gp.ContactRequest
	t.Run("NewestFirst", func(t *testing.T) {
		ids := map[string]bool{mine.ID: true}
		var last gp.ContactRequest
		for _, c := range []struct {
			patient string
			kind    gp.ContactKind
			topic   string
		}{
			{fx.Patient, gp.ContactMedication, ""},
			{fx.Patient, gp.ContactAdmin, "fit_note"},
			{fx.OtherPatient, gp.ContactAdmin, "letter"},
		} {
			time.Sleep(5 * time.Millisecond) // so each is strictly newer
			start := time.Now()
			got, err := sys.SubmitContact(ctx, gp.ContactRequest{
				PatientNHS: c.patient, PracticeODS: fx.Practice, Kind: c.kind, Topic: c.topic,
				Text: "Please", SubmittedBy: actor,
			})
			if note(err) != nil {
				t.Fatalf("SubmitContact(%s): %v", c.kind, err)
			}
			if got.Kind != c.kind || got.Topic != c.topic || got.PatientNHS != c.patient || got.Status != gp.ContactReceived {
				t.Errorf("SubmitContact(%s, %q): got kind %s, topic %q, status %s, right patient %t",
					c.kind, c.topic, got.Kind, got.Topic, got.Status, got.PatientNHS == c.patient)
			}
			if got.Submitted.Before(start.Add(-time.Minute)) || got.Submitted.After(time.Now().Add(time.Minute)) {
				t.Errorf("request submitted with no time: submitted at %v, not now", got.Submitted)
			}
			if ids[got.ID] {
				t.Errorf("two requests share the ID %s", got.ID)
			}
			ids[got.ID] = true
			last = got
		}
		theirs = last

		box := inbox(t, fx.Practice)
		if len(box) < 4 || box[0].ID != theirs.ID {
			t.Fatalf("the newest request is not first in the inbox (%d listed)", len(box))
		}
		for i, r := range box {
			if r.PracticeODS != fx.Practice {
				t.Errorf("inbox of %s lists request %s of %s", fx.Practice, r.ID, r.PracticeODS)
			}
			if i > 0 && r.Submitted.After(box[i-1].Submitted) {
				t.Errorf("inbox: request %s submitted after %s but listed later", r.ID, box[i-1].ID)
			}
		}
		list := requests(t, fx.Patient)
		if len(list) < 3 || list[0].Kind != gp.ContactAdmin || list[1].Kind != gp.ContactMedication || find(list, mine.ID) != 2 {
			t.Errorf("patient's requests are not newest first")
		}
		for i, r := range list {
			if r.PatientNHS != fx.Patient || r.ID == theirs.ID {
				t.Errorf("patient's requests list %s, another patient's", r.ID)
			}
			if i > 0 && r.Submitted.After(list[i-1].Submitted) {
				t.Errorf("patient's requests: %s submitted after %s but listed later", r.ID, list[i-1].ID)
			}
		}
		others := requests(t, fx.OtherPatient)
		if len(others) == 0 || others[0].ID != theirs.ID {
			t.Errorf("other patient's newest request is not listed first")
		}
		for _, r := range others {
			if ids[r.ID] && r.ID != theirs.ID {
				t.Errorf("other patient's requests list %s, the fixture patient's", r.ID)
			}
		}
		for _, r := range inbox(t, fx.OtherPractice) {
			if ids[r.ID] {
				t.Errorf("inbox of %s lists %s, a request to %s", fx.OtherPractice, r.ID, fx.Practice)
			}
		}
	})

	t.Run("RefusedSubmissionsCreateNothing", func(t *testing.T) {
		for _, tc := range []struct {
			name              string
			patient, practice string
			kind              gp.ContactKind
		}{
			{"another practice", fx.Patient, fx.OtherPractice, gp.ContactMedical},
			{"unknown practice", fx.Patient, "NOPE99", gp.ContactMedical},
			{"no practice", fx.Patient, "", gp.ContactMedical},
			{"unregistered patient", unregistered, fx.Practice, gp.ContactMedical},
			{"invalid NHS number", "9990000019", fx.Practice, gp.ContactMedical},
			{"no NHS number", "", fx.Practice, gp.ContactMedical},
			{"unknown kind", fx.Patient, fx.Practice, "prescription"},
			{"an NHS number as kind", fx.Patient, fx.Practice, gp.ContactKind(fx.OtherPatient)},
			{"no kind", fx.Patient, fx.Practice, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				beforeMine, beforeInbox := requests(t, fx.Patient), inbox(t, fx.Practice)
				got, err := sys.SubmitContact(ctx, gp.ContactRequest{
					PatientNHS: tc.patient, PracticeODS: tc.practice, Kind: tc.kind, Text: "Please", SubmittedBy: actor,
				})
				if !errors.Is(note(err), gp.ErrNotFound) {
					t.Errorf("SubmitContact: got %+v, %v; want ErrNotFound", got, err)
				}
				if n := len(requests(t, fx.Patient)); n != len(beforeMine) {
					t.Errorf("a refused request changed the patient's requests: %d, then %d", len(beforeMine), n)
				}
				if n := len(inbox(t, fx.Practice)); n != len(beforeInbox) {
					t.Errorf("a refused request changed the inbox: %d, then %d", len(beforeInbox), n)
				}
			})
		}
		for _, n := range []string{unregistered, "9990000019", "not-a-number", ""} {
			if _, err := sys.ContactRequests(ctx, n); !errors.Is(note(err), gp.ErrNotFound) {
				t.Errorf("ContactRequests(%q): got %v, want ErrNotFound", n, err)
			}
		}
		for _, ods := range []string{"NOPE99", ""} {
			if _, err := sys.Inbox(ctx, ods); !errors.Is(note(err), gp.ErrNotFound) {
				t.Errorf("Inbox(%q): got %v, want ErrNotFound", ods, err)
			}
		}
	})

	t.Run("Respond", func(t *testing.T) {
		const reply = "Please book an appointment with the practice nurse this week."
		for _, tc := range []struct{ name, ods, id string }{
			{"at another practice", fx.OtherPractice, mine.ID},
			{"at an unknown practice", "NOPE99", mine.ID},
			{"unknown request", fx.Practice, "no-such-request"},
			{"no request", fx.Practice, ""},
			{"an NHS number as ID", fx.Practice, fx.Patient},
		} {
			if got, err := sys.Respond(ctx, tc.ods, tc.id, reply, staff); !errors.Is(note(err), gp.ErrNotFound) {
				t.Errorf("Respond, %s: got %+v, %v; want ErrNotFound", tc.name, got, err)
			}
		}
		if list := requests(t, fx.Patient); find(list, mine.ID) < 0 || list[find(list, mine.ID)].Status != gp.ContactReceived {
			t.Fatal("a refused reply changed the request")
		}

		start := time.Now()
		got, err := sys.Respond(ctx, fx.Practice, mine.ID, reply, staff)
		if note(err) != nil {
			t.Fatalf("Respond: %v", err)
		}
		want := mine
		want.Status, want.Reply, want.RespondedBy, want.Responded = gp.ContactResponded, reply, staff, got.Responded
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Respond returned (-want +got):\n%s", diff)
		}
		if got.Responded.Before(start.Add(-time.Minute)) || got.Responded.After(time.Now().Add(time.Minute)) {
			t.Errorf("responded at %v, not now", got.Responded)
		}
		for name, list := range map[string][]gp.ContactRequest{
			"patient's requests": requests(t, fx.Patient), "inbox": inbox(t, fx.Practice),
		} {
			i := find(list, mine.ID)
			if i < 0 {
				t.Errorf("%s: the answered request is gone", name)
				continue
			}
			if diff := cmp.Diff(got, list[i]); diff != "" {
				t.Errorf("%s: listed request differs from the answered (-answered +listed):\n%s", name, diff)
			}
		}

		for _, tc := range []struct {
			name, ods string
			want      error
		}{
			{"again", fx.Practice, gp.ErrAlreadyResponded},
			// Another practice learns nothing of the request.
			{"again, at another practice", fx.OtherPractice, gp.ErrNotFound},
		} {
			if again, err := sys.Respond(ctx, tc.ods, mine.ID, "A second reply", "another-staff"); !errors.Is(note(err), tc.want) {
				t.Errorf("Respond %s: got %+v, %v; want %v", tc.name, again, err, tc.want)
			}
		}
		list := requests(t, fx.Patient)
		if i := find(list, mine.ID); i < 0 || list[i].Reply != reply || list[i].RespondedBy != staff || !list[i].Responded.Equal(got.Responded) {
			t.Error("a second reply changed the first")
		}
		if others := requests(t, fx.OtherPatient); len(others) == 0 || others[0].ID != theirs.ID || others[0].Status != gp.ContactReceived {
			t.Error("replying to one request changed another patient's")
		}
	})

	t.Run("ErrorsNameNoNHSNumber", func(t *testing.T) {
		if len(errs) == 0 {
			t.Fatal("no errors collected")
		}
		for _, err := range errs {
			if HasNHSNumber(err.Error()) {
				t.Errorf("error names an NHS number: %v", err)
			}
		}
	})
}
