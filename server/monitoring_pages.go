package server

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/ui"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/monitoring"
	"github.com/nhs-companion/companion/server/reqstate"
)

var monitoringNeed = monitoring.Need

// errResend asks for a reading to be checked and sent again.
var errResend = fault.New(fault.Conflict, "resend_reading", "monitoring.error.resend")

// fieldOfForm is a reading form's first field.
func fieldOfForm(sign string) string {
	if sign == string(gp.BloodPressure) {
		return "systolic"
	}
	return "value"
}

// monitoringPage renders /monitoring: the plan, what is due, the readings
// over time, and after a reading is sent (?sent=id) what happens next.
func (s *Server) monitoringPage(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	page, err := s.Monitoring.Page(r.Context(), p)
	if err != nil {
		return err
	}
	if id := r.URL.Query().Get("sent"); id != "" {
		for i := range page.Readings {
			if page.Readings[i].ID == id {
				page.Sent = &page.Readings[i]
			}
		}
	}
	return s.renderMonitoring(w, r, page, http.StatusOK)
}

func (s *Server) renderMonitoring(w http.ResponseWriter, r *http.Request, page *api.Monitoring, status int) error {
	st := s.pageState(r)
	st.Monitoring = page
	return s.Renderer.Render(w, r, status, st, ui.MonitoringPage)
}

// readingPage renders /monitoring/{sign}: the form for one reading the
// plan asks for, with an idempotency key made as it is shown.
func (s *Server) readingPage(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	page, err := s.readingForm(r, p)
	if err != nil {
		return err
	}
	page.Form = &api.ReadingForm{Sign: r.PathValue("sign"), When: "now", Key: reqstate.NewKey()}
	return s.renderMonitoring(w, r, page, http.StatusOK)
}

// readingForm is the monitoring page for a reading's form: the sign must
// be one the patient's running plan asks for.
func (s *Server) readingForm(r *http.Request, p *access.Patient) (*api.Monitoring, error) {
	sign := r.PathValue("sign")
	if _, ok := monitoring.SignOf(gp.VitalSign(sign)); !ok {
		return nil, monitoring.ErrNotAsked
	}
	page, err := s.Monitoring.Page(r.Context(), p)
	if err != nil {
		return nil, err
	}
	if page.Plan == nil || !page.Plan.Active {
		return nil, monitoring.ErrNoPlan
	}
	for _, ps := range page.Plan.Signs {
		if ps.Sign == sign {
			return page, nil
		}
	}
	return nil, monitoring.ErrNotAsked
}

// readingSubmit sends a reading (POST /monitoring/{sign}); a refusal
// shows the form again with what was typed.
func (s *Server) readingSubmit(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	if _, ok := monitoring.SignOf(gp.VitalSign(r.PathValue("sign"))); !ok {
		return monitoring.ErrNotAsked
	}
	if err := r.ParseForm(); err != nil {
		return fault.ErrBadRequest
	}
	f := r.PostForm
	form := api.ReadingForm{Sign: r.PathValue("sign"), When: f.Get("when"), Time: f.Get("time"), Note: f.Get("note"), Key: f.Get("idempotency_key")}
	for _, name := range []string{"value", "systolic", "diastolic"} {
		if v, ok := f[name]; ok {
			form.Values = append(form.Values, v[0])
		}
	}
	entry, field, err := s.Monitoring.FormEntry(form)
	var sent api.Reading
	if err == nil {
		// A second press of Send waits for the first's answer, so the
		// page after shows what the reading needs (urgent advice for a
		// red one), not that it is on its way.
		err = reqstate.AwaitFirst(func() (err error) {
			sent, field, err = s.Monitoring.Submit(r.Context(), p, entry, form.Key, route(r))
			return err
		})
	}
	if errors.Is(err, reqstate.ErrIdempotencyMismatch) {
		// The form was sent before with other values (Back, changed,
		// sent again): this is a new reading, to check and send afresh.
		field, err, form.Key = fieldOfForm(r.PathValue("sign")), errResend, reqstate.NewKey()
	}
	if field != "" {
		page, perr := s.readingForm(r, p)
		if perr != nil {
			return perr
		}
		page.Form, page.Errors = &form, []api.FieldError{s.fieldError(r, field, err)}
		return s.renderMonitoring(w, r, page, fault.Of(err).Status())
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/monitoring?sent="+url.QueryEscape(sent.ID)+"#sent", http.StatusSeeOther)
	return nil
}

// apiMonitoring answers GET /api/v1/patients/{pid}/monitoring.
func (s *Server) apiMonitoring(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	page, err := s.Monitoring.Page(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// apiSendReading answers POST /api/v1/patients/{pid}/monitoring/readings,
// once per Idempotency-Key: 201 with the reading and its attention.
func (s *Server) apiSendReading(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	var in api.NewReading
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	out, _, err := s.Monitoring.Submit(r.Context(), p, monitoring.APIEntry(in), r.Header.Get("Idempotency-Key"), route(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}
