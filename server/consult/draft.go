package consult

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/gp"
)

// Draft is a request in progress, kept on the server between the steps:
// what people write about their health never travels in a URL.
type Draft struct {
	Kind      string            `json:"kind,omitempty"`
	Screening map[string]string `json:"screening,omitempty"`
	Screened  bool              `json:"screened,omitempty"`
	Duration  string            `json:"duration,omitempty"`
	Trend     string            `json:"trend,omitempty"`
	Medicine  string            `json:"medicine,omitempty"`
	Topic     string            `json:"topic,omitempty"`
	Text      string            `json:"text,omitempty"`
	Key       string            `json:"key,omitempty"`
	// Sent is the request the draft became.
	Sent string `json:"sent,omitempty"`
}

// DraftName names contact drafts among a session's drafts.
const DraftName = "contact"

// Submit is the draft as a request.
func (d Draft) Submit() api.ContactSubmit {
	return api.ContactSubmit{Kind: d.Kind, Screening: d.Screening, Duration: d.Duration, Trend: d.Trend,
		Medicine: d.Medicine, Topic: d.Topic, Text: d.Text}
}

// Reached is the furthest step the draft allows.
func (d Draft) Reached() api.ContactStep {
	switch {
	case d.Kind == "":
		return api.ContactStart
	case d.Kind == string(gp.ContactMedical) && !d.Screened:
		return api.ContactScreen
	case d.Text == "":
		return api.ContactDetails
	}
	return api.ContactCheck
}

// Answers are what one contact step's form said.
type Answers struct {
	Kind string
	// Screening maps each emergency question's ID to "yes" or "no".
	Screening                              map[string]string
	Duration, Trend, Medicine, Topic, Text string
}

// Advance applies a question step's answers to the draft and says which
// step comes next: "" when the step was submitted out of turn (nothing
// changes), ContactUrgent when the emergency answers stop the request (the
// refusal, ErrUrgent999 or ErrUrgent111, says which advice; audited). A
// refused answer is returned as the error. The check step is sent with
// Send, not here.
func (s *Service) Advance(ctx context.Context, p *access.Patient, lb Labels, d *Draft, step api.ContactStep, a Answers) (api.ContactStep, error) {
	x := p.Contact()
	child := x.Child(ChildAge)
	switch step {
	case api.ContactStart:
		if !slices.Contains(gp.ContactKinds, gp.ContactKind(a.Kind)) {
			return "", ErrKindRequired
		}
		av, _, err := s.Availability(ctx, x.Practice(), p.ID())
		if err != nil {
			return "", err
		}
		if err := KindOpen(av, a.Kind); err != nil {
			return "", err
		}
		*d = Draft{Kind: a.Kind}
		if a.Kind == string(gp.ContactMedical) {
			return api.ContactScreen, nil
		}
		return api.ContactDetails, nil
	case api.ContactScreen:
		if d.Kind != string(gp.ContactMedical) {
			return "", nil
		}
		d.Screening = map[string]string{}
		for _, q := range Screening.For(child) {
			if v := a.Screening[q.ID]; v != "" {
				d.Screening[q.ID] = v
			}
		}
		stop, advice, _, err := Screening.Screen(child, d.Screening)
		if err != nil {
			return "", ErrNotScreened
		}
		if stop {
			e := urgent(advice)
			s.stopped(ctx, p, e)
			return api.ContactUrgent, e
		}
		d.Screened = true
		return api.ContactDetails, nil
	case api.ContactDetails:
		if r := d.Reached(); r == api.ContactStart || r == api.ContactScreen {
			return "", nil
		}
		d.Duration, d.Trend, d.Medicine, d.Topic, d.Text = a.Duration, a.Trend, a.Medicine, a.Topic, a.Text
		if _, err := NewRequest(lb, d.Submit(), child); err != nil {
			return "", err
		}
		d.Text, d.Medicine = strings.TrimSpace(d.Text), strings.TrimSpace(d.Medicine)
		return api.ContactCheck, nil
	}
	return "", nil
}

// Field is the form field a refusal belongs to on step, for the error
// summary's link.
func Field(step api.ContactStep, err error) string {
	for _, m := range []struct {
		err   *fault.Error
		field string
	}{
		{ErrTopicRequired, "topic"}, {ErrDuration, "duration"}, {ErrTrend, "trend"}, {ErrMedicineName, "medicine"},
		{ErrTextRequired, "text"}, {ErrTextTooLong, "text"}, {fault.ErrBadRequest, "text"}, {ErrNotScreened, "screen"},
	} {
		if errors.Is(err, m.err) {
			return m.field
		}
	}
	if step == api.ContactCheck {
		return "check"
	}
	return "kind"
}
