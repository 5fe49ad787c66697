package server

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/ui"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/consult"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/reqstate"
)

// contactPage renders /contact: whether the practice is open, then one
// question per page; ?sent= is the confirmation.
func (s *Server) contactPage(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	var d consult.Draft
	if err := s.Drafts.Load(r.Context(), consult.DraftName, s.draftOwner(r, p), &d); err != nil {
		return err
	}
	q := r.URL.Query()
	if id := q.Get("sent"); id != "" {
		return s.renderSent(w, r, p, id)
	}
	if d.Sent != "" {
		d = consult.Draft{}
	}
	step, ok, err := askedStep(api.ContactSteps, api.ContactStep(q.Get("step")), d.Reached())
	if err != nil {
		return err
	}
	if !ok {
		http.Redirect(w, r, api.ContactURL(d.Reached()), http.StatusSeeOther)
		return nil
	}
	return s.renderContact(w, r, p, d, step, nil)
}

// renderSent is the confirmation of a request the patient sent.
func (s *Server) renderSent(w http.ResponseWriter, r *http.Request, p *access.Patient, id string) error {
	list, err := s.Contact.List(r.Context(), p)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(list.Requests, func(c api.ContactRequest) bool { return c.ID == id })
	if i < 0 {
		return consult.ErrNoRequest
	}
	f := &api.ContactForm{Step: api.ContactSent, Patient: p.Summary().Name(), Availability: list.Availability, Sent: &list.Requests[i], TextMax: consult.TextMax}
	return s.renderContactForm(w, r, f, http.StatusOK)
}

func (s *Server) renderContactForm(w http.ResponseWriter, r *http.Request, f *api.ContactForm, status int) error {
	st := s.pageState(r)
	st.Contact = f
	r.URL.Path = "/contact"
	return s.Renderer.Render(w, r, status, st, ui.ContactPage)
}

// renderContact renders one step from the draft, with a refusal to put
// right (nil for none).
func (s *Server) renderContact(w http.ResponseWriter, r *http.Request, p *access.Patient, d consult.Draft, step api.ContactStep, refusal error) error {
	x := p.Contact()
	av, _, err := s.Contact.Availability(r.Context(), x.Practice(), p.ID())
	if err != nil {
		return err
	}
	l := s.Catalogue.Localizer(localeFrom(r.Context()))
	f := &api.ContactForm{Step: step, Patient: p.Summary().Name(), Availability: av, Kind: d.Kind, Topic: d.Topic,
		Duration: d.Duration, Trend: d.Trend, Medicine: d.Medicine, Text: d.Text, TextMax: consult.TextMax,
		Screening: d.Screening, IdempotencyKey: d.Key}
	for _, q := range consult.Screening.For(x.Child(consult.ChildAge)) {
		f.Questions = append(f.Questions, api.ScreenQuestion{ID: q.ID, Text: l.T(q.Key)})
	}
	status := http.StatusOK
	if refusal != nil {
		f.Errors = []api.FieldError{s.fieldError(r, consult.Field(step, refusal), refusal)}
		status = fault.Of(refusal).Status()
	}
	return s.renderContactForm(w, r, f, status)
}

// screeningAnswers are the emergency questions' answers in a form.
func screeningAnswers(f url.Values) map[string]string {
	out := map[string]string{}
	for k, v := range f {
		if id, ok := strings.CutPrefix(k, "q-"); ok && len(v) > 0 {
			out[id] = v[0]
		}
	}
	return out
}

// contactSubmit handles each step's form.
func (s *Server) contactSubmit(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	if err := r.ParseForm(); err != nil {
		return fault.ErrBadRequest
	}
	f := r.PostForm
	ctx := r.Context()
	owner := s.draftOwner(r, p)
	var d consult.Draft
	if err := s.Drafts.Load(ctx, consult.DraftName, owner, &d); err != nil {
		return err
	}
	step := api.ContactStep(f.Get("step"))
	if d.Sent != "" {
		if step == api.ContactCheck {
			http.Redirect(w, r, "/contact?sent="+url.QueryEscape(d.Sent), http.StatusSeeOther)
			return nil
		}
		d = consult.Draft{}
	}
	fail := func(err error) error { return s.renderContact(w, r, p, d, step, err) }
	if step == api.ContactCheck {
		if d.Reached() != api.ContactCheck {
			return s.advance(w, r, consult.DraftName, owner, d, "", api.ContactURL(d.Reached()))
		}
		var sent api.ContactRequest
		err := reqstate.AwaitFirst(func() (err error) {
			sent, err = s.Contact.Send(ctx, p, s.labels(r), d.Submit(), f.Get("idempotency_key"), route(r))
			return err
		})
		if err != nil {
			if serr := s.sendFailed(r, consult.DraftName, owner, &d, &d.Key, err); serr != nil {
				return serr
			}
			return fail(err)
		}
		d.Sent = sent.ID
		return s.sent(w, r, consult.DraftName, owner, d, "/contact?sent="+url.QueryEscape(sent.ID))
	}
	a := consult.Answers{Kind: f.Get("kind"), Screening: screeningAnswers(f), Duration: f.Get("duration"), Trend: f.Get("trend"),
		Medicine: f.Get("medicine"), Topic: f.Get("topic"), Text: f.Get("text")}
	next, err := s.Contact.Advance(ctx, p, s.labels(r), &d, step, a)
	switch {
	case next == api.ContactUrgent:
		if derr := s.Drafts.Delete(ctx, consult.DraftName, owner); derr != nil {
			s.Logger.WarnContext(ctx, "forget stopped draft", "err", derr)
		}
		practice := p.Contact().Practice()
		advice := "111"
		if errors.Is(err, consult.ErrUrgent999) {
			advice = "999"
		}
		form := &api.ContactForm{Step: api.ContactUrgent, Patient: p.Summary().Name(), Advice: advice, Kind: d.Kind, TextMax: consult.TextMax}
		form.Availability.Practice, form.Availability.Phone = practice.Name, practice.Phone
		return s.renderContactForm(w, r, form, http.StatusOK)
	case err != nil && fault.Ours(err):
		return err
	case err != nil:
		return fail(err)
	case next == api.ContactCheck:
		d.Key = reqstate.NewKey()
	}
	to := ""
	if next != "" {
		to = api.ContactURL(next)
	}
	return s.advance(w, r, consult.DraftName, owner, d, to, api.ContactURL(d.Reached()))
}
