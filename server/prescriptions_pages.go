package server

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/ui"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/prescribing"
	"github.com/nhs-companion/companion/server/reqstate"
)

// prescriptionsPage renders /prescriptions: what can be ordered, what is on
// its way, and the nominated pharmacy.
func (s *Server) prescriptionsPage(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	m, err := s.Prescribing.Medicines(r.Context(), p)
	if err != nil {
		return err
	}
	sum := p.Summary()
	v := &api.Prescriptions{Patient: sum.Name(), Repeats: m.Views(), Requests: []api.PrescriptionRequest{},
		Practice: sum.Practice.Name, Phone: sum.Practice.Phone, EarlyDays: m.Rules().EarlyDays}
	for _, rq := range m.Requests {
		v.Requests = append(v.Requests, prescribing.RequestView(rq))
	}
	if v.Pharmacy, err = s.Prescribing.Nominated(r.Context(), p); err != nil {
		return err
	}
	q := r.URL.Query()
	if order := q.Get("ordered"); order != "" {
		for _, rq := range v.Requests {
			if rq.OrderID == order {
				v.Ordered = append(v.Ordered, rq)
			}
		}
	}
	if q.Get("pharmacy") == "changed" && v.Pharmacy != nil {
		v.Notice = "pharmacy_changed"
	}
	if err := s.Prescribing.Viewed(r.Context(), p); err != nil {
		return err
	}
	st := s.pageState(r)
	st.Prescriptions = v
	return s.Renderer.Render(w, r, http.StatusOK, st, ui.PrescriptionsPage)
}

// orderPage renders the ordering steps at /prescriptions/order?step=.
func (s *Server) orderPage(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	var d prescribing.Draft
	if err := s.Drafts.Load(r.Context(), prescribing.DraftName, s.draftOwner(r, p), &d); err != nil {
		return err
	}
	if d.Ordered != "" {
		d = prescribing.Draft{}
	}
	step, ok, err := askedStep(api.OrderSteps, api.OrderStep(r.URL.Query().Get("step")), d.Reached())
	if err != nil {
		return err
	}
	if !ok {
		http.Redirect(w, r, api.OrderURL(d.Reached()), http.StatusSeeOther)
		return nil
	}
	return s.renderOrder(w, r, p, d, step, nil, http.StatusOK)
}

// renderOrder renders one ordering step from the draft, with a refusal to
// put right (nil for none).
func (s *Server) renderOrder(w http.ResponseWriter, r *http.Request, p *access.Patient, d prescribing.Draft, step api.OrderStep, refusal error, status int) error {
	ctx := r.Context()
	m, err := s.Prescribing.Medicines(ctx, p)
	if err != nil {
		return err
	}
	rules := m.Rules()
	f := &api.OrderForm{Step: step, Patient: p.Summary().Name(), Repeats: m.Views(), Selected: d.IDs, Note: d.Note,
		NoteMax: rules.NoteMax, Early: m.Early(d.IDs), IdempotencyKey: d.Key}
	if refusal != nil {
		f.Errors = append(f.Errors, s.fieldError(r, string(step), refusal, "Days", rules.EarlyDays, "Max", rules.NoteMax))
	}
	if f.Nominated, err = s.Prescribing.Nominated(ctx, p); err != nil {
		return err
	}
	if d.Pharmacy != "" {
		if ph, err := s.Prescribing.Pharmacy(ctx, d.Pharmacy); err == nil {
			v := prescribing.PharmacyView(ph)
			f.Pharmacy = &v
		}
	}
	if step == api.OrderPharmacy {
		q := r.URL.Query()
		f.Query, f.Searched = strings.TrimSpace(q.Get("q")), q.Has("q")
		if f.Results, err = s.Prescribing.SearchPharmacies(ctx, f.Query); err != nil {
			return err
		}
	}
	st := s.pageState(r)
	st.Order = f
	r.URL.Path = "/prescriptions/order"
	return s.Renderer.Render(w, r, status, st, ui.OrderPage)
}

// orderSubmit handles each step's form: check it, keep it in the draft, and
// go on to the next step; the last step sends the order.
func (s *Server) orderSubmit(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	if err := r.ParseForm(); err != nil {
		return fault.ErrBadRequest
	}
	f := r.PostForm
	owner := s.draftOwner(r, p)
	var d prescribing.Draft
	if err := s.Drafts.Load(r.Context(), prescribing.DraftName, owner, &d); err != nil {
		return err
	}
	step := api.OrderStep(f.Get("step"))
	if d.Ordered != "" {
		if step == api.OrderCheck {
			http.Redirect(w, r, "/prescriptions?ordered="+url.QueryEscape(d.Ordered), http.StatusSeeOther)
			return nil
		}
		d = prescribing.Draft{}
	}
	fail := func(err error) error { return s.renderOrder(w, r, p, d, step, err, fault.Of(err).Status()) }
	if step == api.OrderCheck {
		if d.Reached() != api.OrderCheck {
			return s.advance(w, r, prescribing.DraftName, owner, d, "", api.OrderURL(d.Reached()))
		}
		req := api.OrderRequest{MedicationIDs: d.IDs, Note: d.Note, PharmacyODS: d.Pharmacy}
		var res api.OrderResult
		err := reqstate.AwaitFirst(func() (err error) {
			res, err = s.Prescribing.Order(r.Context(), p, req, f.Get("idempotency_key"), route(r))
			return err
		})
		if err != nil {
			if serr := s.sendFailed(r, prescribing.DraftName, owner, &d, &d.Key, err); serr != nil {
				return serr
			}
			return fail(err)
		}
		d.Ordered = res.OrderID
		return s.sent(w, r, prescribing.DraftName, owner, d, "/prescriptions?ordered="+url.QueryEscape(res.OrderID))
	}
	next, err := s.Prescribing.Advance(r.Context(), p, &d, step, prescribing.Answers{Medicines: f["medicine"], Note: f.Get("note"), Pharmacy: f.Get("pharmacy")})
	if err != nil {
		if fault.Ours(err) {
			return err
		}
		return fail(err)
	}
	if next == api.OrderCheck && d.Key == "" {
		d.Key = reqstate.NewKey()
	}
	to := ""
	if next != "" {
		to = api.OrderURL(next)
	}
	return s.advance(w, r, prescribing.DraftName, owner, d, to, api.OrderURL(d.Reached()))
}

// pharmacyPage renders /prescriptions/pharmacy: the nominated pharmacy and
// a search for another.
func (s *Server) pharmacyPage(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	return s.renderPharmacy(w, r, p, nil)
}

// renderPharmacy renders the change-pharmacy page, with a refusal to put
// right (nil for none).
func (s *Server) renderPharmacy(w http.ResponseWriter, r *http.Request, p *access.Patient, refusal error) error {
	v := &api.PharmacyChoice{Patient: p.Summary().Name()}
	var err error
	if v.Current, err = s.Prescribing.Nominated(r.Context(), p); err != nil {
		return err
	}
	q := r.URL.Query()
	v.Query, v.Searched = strings.TrimSpace(q.Get("q")), q.Has("q")
	if v.Results, err = s.Prescribing.SearchPharmacies(r.Context(), v.Query); err != nil {
		return err
	}
	status := http.StatusOK
	if refusal != nil {
		v.Errors = []api.FieldError{s.fieldError(r, "pharmacy", refusal)}
		status = fault.Of(refusal).Status()
	}
	st := s.pageState(r)
	st.PharmacyChoice = v
	r.URL.Path = "/prescriptions/pharmacy"
	return s.Renderer.Render(w, r, status, st, ui.PharmacyPage)
}

// pharmacySubmit changes the nominated pharmacy.
func (s *Server) pharmacySubmit(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	if err := r.ParseForm(); err != nil {
		return fault.ErrBadRequest
	}
	ods := r.PostForm.Get("pharmacy")
	if ods == "" {
		return s.renderPharmacy(w, r, p, prescribing.ErrPharmacyRequired)
	}
	if _, err := s.Prescribing.Nominate(r.Context(), p, ods); err != nil {
		if fault.Ours(err) {
			return err
		}
		return s.renderPharmacy(w, r, p, err)
	}
	http.Redirect(w, r, "/prescriptions?pharmacy=changed", http.StatusSeeOther)
	return nil
}

// markReadSubmit marks a notification read from the home page's banner.
func (s *Server) markReadSubmit(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	if err := s.Prescribing.MarkRead(r.Context(), p, r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}
