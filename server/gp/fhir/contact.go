package fhir

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/gp"
)

// An online request to the practice is a Task: for the patient, owned by
// the practice's Organization, its code the kind of request, its inputs
// the questions and answers as the patient saw them, its description the
// patient's own words. The practice's reply completes it: the reply is its
// output. A Task is used rather than Communication because a request has
// a status the practice moves on, and the reply must be written once
// (If-Match on the Task), which a Task's version gives.
const (
	// ContactKindSystem codes gp.ContactKind in Task.code.
	ContactKindSystem = "https://companion.nhs.uk/fhir/CodeSystem/contact-kind"
	// ContactTopicSystem codes an admin request's topic in Task.reasonCode.
	ContactTopicSystem = "https://companion.nhs.uk/fhir/CodeSystem/contact-topic"
	ExtSubmittedBy     = "https://companion.nhs.uk/fhir/StructureDefinition/submitted-by"
	ExtScreening       = "https://companion.nhs.uk/fhir/StructureDefinition/screening"
	ExtRespondedBy     = "https://companion.nhs.uk/fhir/StructureDefinition/responded-by"
	replyType          = "reply"
)

// millis is how request times are written: to the millisecond, so
// requests sent within one second keep their order, and always with the
// fraction, so FHIRPath compares two of them (Task's inv-1) at one
// precision.
const millis = "2006-01-02T15:04:05.000Z07:00"

// SubmitContact records a request in its practice's inbox.
func (s *System) SubmitContact(ctx context.Context, c gp.ContactRequest) (gp.ContactRequest, error) {
	if !nhs.ValidNumber(c.PatientNHS) || !slices.Contains(gp.ContactKinds, c.Kind) {
		return gp.ContactRequest{}, fmt.Errorf("submit contact: %w", gp.ErrNotFound)
	}
	p, pid, err := s.patient(ctx, c.PatientNHS)
	if err != nil {
		return gp.ContactRequest{}, fmt.Errorf("submit contact: %w", err)
	}
	if p.PracticeODS == "" || p.PracticeODS != c.PracticeODS {
		return gp.ContactRequest{}, fmt.Errorf("submit contact: patient at the practice: %w", gp.ErrNotFound)
	}
	ctx = withPractice(ctx, c.PracticeODS)
	info, err := s.practice(ctx, c.PracticeODS)
	if err != nil {
		return gp.ContactRequest{}, fmt.Errorf("submit contact: %w", err)
	}
	submitted := c.Submitted
	if submitted.IsZero() {
		submitted = s.now()
	}
	t := task{
		ResourceType: "Task", Status: "requested", Intent: "order",
		Code:        &codeableConcept{Coding: []coding{{System: ContactKindSystem, Code: string(c.Kind)}}},
		Description: c.Text, For: &reference{Reference: ref("Patient", pid)},
		Owner:      &reference{Reference: ref("Organization", info.orgID), Identifier: &identifier{System: ODSSystem, Value: c.PracticeODS}},
		AuthoredOn: submitted.UTC().Format(millis),
	}
	if c.Topic != "" {
		t.ReasonCode = &codeableConcept{Coding: []coding{{System: ContactTopicSystem, Code: c.Topic}}}
	}
	if !c.ReplyBy.IsZero() {
		t.Restriction = &taskRestriction{Period: &period{End: c.ReplyBy.UTC().Format(millis)}}
	}
	for _, a := range c.Answers {
		t.Input = append(t.Input, taskInput{Type: codeableConcept{Text: a.Question}, ValueString: a.Answer})
	}
	for _, e := range []extension{{URL: ExtSubmittedBy, ValueString: c.SubmittedBy}, {URL: ExtScreening, ValueString: c.Screening}} {
		if e.ValueString != "" {
			t.Extension = append(t.Extension, e)
		}
	}
	var made task
	if _, err := s.c.do(ctx, "POST", s.c.base+"/Task", nil, t, &made); err != nil {
		return gp.ContactRequest{}, fmt.Errorf("submit contact: %w", err)
	}
	return contactOf(made, c.PatientNHS, c.PracticeODS, info.Location()), nil
}

// ContactRequests lists the patient's requests, newest first.
func (s *System) ContactRequests(ctx context.Context, patientNHS string) ([]gp.ContactRequest, error) {
	p, pid, err := s.patient(ctx, patientNHS)
	if err != nil {
		return nil, fmt.Errorf("contact requests: %w", err)
	}
	found, err := s.tasks(ctx, url.Values{"patient": {ref("Patient", pid)}})
	if err != nil {
		return nil, fmt.Errorf("contact requests: %w", err)
	}
	var loc *time.Location = gp.UK
	if info, err := s.practice(ctx, p.PracticeODS); err == nil {
		loc = info.Location()
	}
	out := []gp.ContactRequest{}
	for _, t := range found {
		if t.For != nil && idOf(*t.For, "Patient") == pid {
			out = append(out, contactOf(t, patientNHS, odsOfTask(t), loc))
		}
	}
	return out, nil
}

// Inbox lists the practice's requests, newest first.
func (s *System) Inbox(ctx context.Context, ods string) ([]gp.ContactRequest, error) {
	ctx = withPractice(ctx, ods)
	info, err := s.practice(ctx, ods)
	if err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	found, err := s.tasks(ctx, url.Values{"owner": {ref("Organization", info.orgID)}})
	if err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	nhsOfPatient := s.nhsNumbers()
	out := []gp.ContactRequest{}
	for _, t := range found {
		if t.Owner == nil || idOf(*t.Owner, "Organization") != info.orgID || t.For == nil {
			continue
		}
		nhsNumber, err := nhsOfPatient(ctx, idOf(*t.For, "Patient"))
		if err != nil {
			return nil, fmt.Errorf("inbox: %w", err)
		}
		out = append(out, contactOf(t, nhsNumber, ods, info.Location()))
	}
	return out, nil
}

// nhsNumbers reads the NHS numbers of Patients by ID, each once ("" for a
// Patient the server no longer has).
func (s *System) nhsNumbers() func(ctx context.Context, pid string) (string, error) {
	known := map[string]string{}
	return func(ctx context.Context, pid string) (string, error) {
		if n, ok := known[pid]; ok {
			return n, nil
		}
		var p patient
		if _, err := s.c.read(ctx, "Patient", pid, &p); err != nil && !errors.Is(err, gp.ErrNotFound) {
			return "", err
		}
		known[pid] = nhsOf(p)
		return known[pid], nil
	}
}

// tasks finds online requests, newest first.
func (s *System) tasks(ctx context.Context, q url.Values) ([]task, error) {
	q.Set("code", ContactKindSystem+"|")
	q.Set("_count", "200")
	found, err := searchAll[task](ctx, s.c, "Task", q)
	if err != nil {
		return nil, err
	}
	found = slices.DeleteFunc(found, func(t task) bool { return t.Code == nil || t.Code.code(ContactKindSystem) == "" })
	slices.SortFunc(found, func(a, b task) int {
		ta, _ := time.Parse(time.RFC3339Nano, a.AuthoredOn)
		tb, _ := time.Parse(time.RFC3339Nano, b.AuthoredOn)
		return cmp.Or(tb.Compare(ta), cmp.Compare(b.ID, a.ID))
	})
	return found, nil
}

func odsOfTask(t task) string {
	if t.Owner != nil && t.Owner.Identifier != nil {
		return t.Owner.Identifier.Value
	}
	return ""
}

// Respond records the practice's reply, once: the Task is completed only
// at the version read, so of two replies at once one is kept and the
// other told ErrAlreadyResponded.
func (s *System) Respond(ctx context.Context, ods, id, reply, staff string) (gp.ContactRequest, error) {
	ctx = withPractice(ctx, ods)
	info, err := s.practice(ctx, ods)
	if err != nil {
		return gp.ContactRequest{}, fmt.Errorf("respond: %w", err)
	}
	for range 3 {
		var t task
		etag, err := s.c.read(ctx, "Task", id, &t)
		if err != nil {
			return gp.ContactRequest{}, fmt.Errorf("respond: %w", err)
		}
		if t.Owner == nil || idOf(*t.Owner, "Organization") != info.orgID || t.Code == nil || t.Code.code(ContactKindSystem) == "" || t.For == nil {
			return gp.ContactRequest{}, fmt.Errorf("respond: %w", gp.ErrNotFound)
		}
		if t.Status == "completed" {
			return gp.ContactRequest{}, fmt.Errorf("respond: %w", gp.ErrAlreadyResponded)
		}
		t.Status = "completed"
		t.LastModified = s.now().UTC().Format(millis)
		t.Output = []taskInput{{Type: codeableConcept{Text: replyType}, ValueString: reply}}
		if staff != "" {
			t.Extension = append(t.Extension, extension{URL: ExtRespondedBy, ValueString: staff})
		}
		var done task
		_, err = s.c.do(ctx, "PUT", s.c.base+"/Task/"+url.PathEscape(id), map[string][]string{"If-Match": {etag}}, t, &done)
		if errors.Is(err, errConflict) {
			continue
		}
		if err != nil {
			return gp.ContactRequest{}, fmt.Errorf("respond: %w", err)
		}
		var p patient
		if _, err := s.c.read(ctx, "Patient", idOf(*t.For, "Patient"), &p); err != nil {
			return gp.ContactRequest{}, fmt.Errorf("respond: %w", err)
		}
		return contactOf(done, nhsOf(p), ods, info.Location()), nil
	}
	return gp.ContactRequest{}, fmt.Errorf("respond: %w: kept changing", gp.ErrUnavailable)
}

// contactOf maps a Task, with times in the practice's zone.
func contactOf(t task, patientNHS, ods string, loc *time.Location) gp.ContactRequest {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return time.Time{}
		}
		return v.In(loc)
	}
	c := gp.ContactRequest{
		ID: t.ID, PatientNHS: patientNHS, PracticeODS: ods, Text: t.Description, Submitted: at(t.AuthoredOn),
		SubmittedBy: extValue(t.Extension, ExtSubmittedBy), Screening: extValue(t.Extension, ExtScreening),
		Status: gp.ContactReceived,
	}
	if t.Code != nil {
		c.Kind = gp.ContactKind(t.Code.code(ContactKindSystem))
	}
	if t.ReasonCode != nil {
		c.Topic = t.ReasonCode.code(ContactTopicSystem)
	}
	if t.Restriction != nil && t.Restriction.Period != nil {
		c.ReplyBy = at(t.Restriction.Period.End)
	}
	for _, in := range t.Input {
		c.Answers = append(c.Answers, gp.Answer{Question: in.Type.Text, Answer: in.ValueString})
	}
	if t.Status == "completed" {
		c.Status, c.Responded, c.RespondedBy = gp.ContactResponded, at(t.LastModified), extValue(t.Extension, ExtRespondedBy)
		for _, o := range t.Output {
			if o.Type.Text == replyType {
				c.Reply = o.ValueString
			}
		}
	}
	return c
}
