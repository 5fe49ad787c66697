package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/app/ui"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/audit"
	"github.com/nhs-companion/companion/server/flags"
	"github.com/nhs-companion/companion/server/gp"
)

// prescriptions is what ordering repeats needs: the permission, the
// practice's flag and high identity proofing (medicines are clinical data).
var prescriptions = access.Need{Feature: flags.Prescriptions, Permission: nhs.PermPrescriptions, P9: true}

// Prescription errors.
var (
	ErrAlreadyRequested = &Error{Status: http.StatusConflict, Code: "already_requested", MessageID: "rx.error.alreadyRequested"}
	ErrReviewDue        = &Error{Status: http.StatusConflict, Code: "review_due", MessageID: "rx.error.reviewDue"}
	ErrEarlyReason      = &Error{Status: http.StatusBadRequest, Code: "reason_required", MessageID: "rx.error.early"}
	ErrNoteTooLong      = &Error{Status: http.StatusBadRequest, Code: "note_too_long", MessageID: "rx.error.noteTooLong"}
	ErrNoMedicine       = &Error{Status: http.StatusBadRequest, Code: "medicine_required", MessageID: "rx.error.none"}
	// ErrUnknownMedicine: an ID that is none of the patient's repeat
	// medicines (made up, or someone else's).
	ErrUnknownMedicine  = &Error{Status: http.StatusBadRequest, Code: "unknown_medicine", MessageID: "rx.error.unknown"}
	ErrUnknownPharmacy  = &Error{Status: http.StatusBadRequest, Code: "unknown_pharmacy", MessageID: "rx.error.pharmacyUnknown"}
	ErrPharmacyRequired = &Error{Status: http.StatusBadRequest, Code: "pharmacy_required", MessageID: "rx.error.pharmacyRequired"}
	ErrNoNotification   = &Error{Status: http.StatusNotFound, Code: "notification_not_found", MessageID: "error.notFound"}
)

// maxSearchResults bounds a pharmacy search's answer.
const maxSearchResults = 20

// notifyWindow is how long a status change stays news.
const notifyWindow = 14 * 24 * time.Hour

func pharmacyView(ph gp.Pharmacy) api.Pharmacy {
	return api.Pharmacy{ODS: ph.ODS, Name: ph.Name, Address: slices.Clone(ph.Address), Postcode: ph.Postcode, Phone: ph.Phone}
}

func requestView(rq gp.Request) api.PrescriptionRequest {
	v := api.PrescriptionRequest{ID: rq.ID, OrderID: rq.OrderID, RepeatID: rq.RepeatID, Name: rq.Name, Dose: rq.Dose,
		Quantity: rq.Quantity, Note: rq.Note, Pharmacy: pharmacyView(rq.Pharmacy), Status: string(rq.Status()), Pending: rq.Pending()}
	for _, h := range rq.History {
		v.History = append(v.History, api.StatusChange{Status: string(h.Status), At: h.At.UnixMilli(), Reason: h.Reason})
	}
	return v
}

// medicines is what the patient's repeats and requests say now.
type medicines struct {
	x        access.Prescriptions
	repeats  []gp.Repeat
	requests []gp.Request
	pending  map[string]bool // repeat IDs with a request on its way
}

func (s *Server) medicines(r *http.Request, p *access.Patient) (*medicines, error) {
	x := p.Prescriptions()
	m := &medicines{x: x, pending: map[string]bool{}}
	var err error
	if m.repeats, err = x.Repeats(r.Context()); err != nil {
		return nil, err
	}
	if m.requests, err = x.Requests(r.Context()); err != nil {
		return nil, err
	}
	for _, rq := range m.requests {
		if rq.Pending() {
			m.pending[rq.RepeatID] = true
		}
	}
	return m, nil
}

// state says whether a repeat can be ordered now, and if not, why.
func (m *medicines) state(rp gp.Repeat) string {
	today := m.x.Today()
	switch {
	case m.pending[rp.ID]:
		return "requested"
	case rp.ReviewDue(today):
		return "review_due"
	case rp.Early(today, m.x.Rules().EarlyDays):
		return "early"
	}
	return "orderable"
}

func (m *medicines) views() []api.Repeat {
	out := make([]api.Repeat, 0, len(m.repeats))
	for _, rp := range m.repeats {
		out = append(out, api.Repeat{ID: rp.ID, Name: rp.Name, Dose: rp.Dose, Quantity: rp.Quantity,
			LastIssued: rp.LastIssued.String(), Due: rp.Due().String(), ReviewDate: rp.ReviewDate.String(), State: m.state(rp)})
	}
	return out
}

func (m *medicines) repeat(id string) (gp.Repeat, bool) {
	i := slices.IndexFunc(m.repeats, func(rp gp.Repeat) bool { return rp.ID == id })
	if i < 0 {
		return gp.Repeat{}, false
	}
	return m.repeats[i], true
}

// choose checks the chosen medicines: each one of the patient's and
// orderable now. It returns them without repeats, in the order given.
func (m *medicines) choose(ids []string) ([]string, error) {
	if len(ids) == 0 {
		return nil, ErrNoMedicine
	}
	var out []string
	for _, id := range ids {
		if slices.Contains(out, id) {
			continue
		}
		rp, ok := m.repeat(id)
		if !ok {
			return nil, ErrUnknownMedicine
		}
		switch m.state(rp) {
		case "requested":
			return nil, ErrAlreadyRequested
		case "review_due":
			return nil, ErrReviewDue
		}
		out = append(out, id)
	}
	return out, nil
}

// early names the chosen medicines ordered early.
func (m *medicines) early(ids []string) []string {
	var out []string
	for _, id := range ids {
		if rp, ok := m.repeat(id); ok && m.state(rp) == "early" {
			out = append(out, rp.Name)
		}
	}
	return out
}

// checkNote applies the practice's rules to the note: a length limit, and a
// reason when anything is ordered early.
func checkNote(note string, rules gp.PrescriptionRules, early bool) (string, error) {
	note = strings.TrimSpace(note)
	switch {
	case utf8.RuneCountInString(note) > rules.NoteMax:
		return "", ErrNoteTooLong
	case strings.ContainsFunc(note, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\r' && r != '\t' }):
		return "", ErrBadRequest
	case note == "" && early:
		return "", ErrEarlyReason
	}
	return note, nil
}

// pharmacy looks a pharmacy up by ODS code.
func (s *Server) pharmacy(r *http.Request, ods string) (gp.Pharmacy, error) {
	if ods == "" || len(ods) > 20 {
		return gp.Pharmacy{}, ErrUnknownPharmacy
	}
	ph, err := s.GP.Pharmacy(r.Context(), ods)
	if errors.Is(err, gp.ErrNotFound) {
		return gp.Pharmacy{}, ErrUnknownPharmacy
	}
	return ph, err
}

// searchPharmacies finds pharmacies by name or postcode.
func (s *Server) searchPharmacies(r *http.Request, q string) ([]api.Pharmacy, error) {
	q = strings.TrimSpace(q)
	if q == "" || utf8.RuneCountInString(q) > 100 {
		return nil, nil
	}
	found, err := s.GP.Pharmacies(r.Context(), q)
	if err != nil {
		return nil, err
	}
	out := []api.Pharmacy{}
	for _, ph := range found {
		if len(out) == maxSearchResults {
			break
		}
		out = append(out, pharmacyView(ph))
	}
	return out, nil
}

// order orders medicines for the patient, once per idempotency key (a
// retry gets the first answer, even though the medicines are now on their
// way): checked here for clear errors, and again by the GP system in the
// same atomic step as recording the order.
func (s *Server) order(r *http.Request, p *access.Patient, req api.OrderRequest, key string) (api.OrderResult, error) {
	_, body, err := s.once(r, p, key, req, func() (int, any, error) {
		reqs, err := s.placeOrder(r, p, req)
		outcome, code, object := "success", "", ""
		if err != nil {
			outcome, code = "refused", kind(err).Code
		} else if len(reqs) > 0 {
			object = "order:" + reqs[0].OrderID
		}
		s.audit(r, audit.Event{Action: "order_prescription", Outcome: outcome, Reason: code, Actor: p.Actor().Subject,
			ActorPatient: p.ActorID(), Patient: p.ID(), Object: object, Session: sessionID(r)})
		if err != nil {
			return 0, nil, err
		}
		res := api.OrderResult{Requests: []api.PrescriptionRequest{}}
		for _, rq := range reqs {
			res.OrderID = rq.OrderID
			res.Requests = append(res.Requests, requestView(rq))
		}
		return http.StatusCreated, res, nil
	})
	if err != nil {
		return api.OrderResult{}, err
	}
	var out api.OrderResult
	return out, json.Unmarshal(body, &out)
}

// placeOrder checks an order against the patient's medicines and the
// practice's rules, then sends it to the GP system.
func (s *Server) placeOrder(r *http.Request, p *access.Patient, req api.OrderRequest) ([]gp.Request, error) {
	m, err := s.medicines(r, p)
	if err != nil {
		return nil, err
	}
	ids, err := m.choose(req.MedicationIDs)
	if err != nil {
		return nil, err
	}
	note, err := checkNote(req.Note, m.x.Rules(), len(m.early(ids)) > 0)
	if err != nil {
		return nil, err
	}
	ods := req.PharmacyODS
	if ods == "" {
		nominated, ok, err := m.x.Nominated(r.Context())
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, ErrPharmacyRequired
		}
		ods = nominated.ODS
	}
	if _, err := s.pharmacy(r, ods); err != nil {
		return nil, err
	}
	reqs, err := m.x.Order(r.Context(), ids, note, ods)
	switch {
	case errors.Is(err, gp.ErrNotFound):
		err = ErrUnknownMedicine
	case errors.Is(err, gp.ErrTooEarly):
		err = ErrEarlyReason
	}
	return reqs, err
}

// nominate changes the patient's nominated pharmacy.
func (s *Server) nominate(r *http.Request, p *access.Patient, ods string) (api.Pharmacy, error) {
	if _, err := s.pharmacy(r, ods); err != nil {
		return api.Pharmacy{}, err
	}
	ph, err := p.Prescriptions().Nominate(r.Context(), ods)
	if errors.Is(err, gp.ErrNotFound) {
		err = ErrUnknownPharmacy
	}
	outcome, code := "success", ""
	if err != nil {
		outcome, code = "refused", kind(err).Code
	}
	s.audit(r, audit.Event{Action: "change_pharmacy", Outcome: outcome, Reason: code, Actor: p.Actor().Subject,
		ActorPatient: p.ActorID(), Patient: p.ID(), Object: "pharmacy:" + ods, Session: sessionID(r)})
	if err != nil {
		return api.Pharmacy{}, err
	}
	return pharmacyView(ph), nil
}

// --- notifications ---

// notifications are the patient's prescription changes of the last
// fortnight they have not read: one per order and status, naming the
// medicines.
func (s *Server) notifications(r *http.Request, p *access.Patient, reqs []gp.Request) ([]api.Notification, error) {
	var out []api.Notification
	index := map[string]int{}
	since := time.Now().Add(-notifyWindow)
	for _, rq := range reqs {
		st := rq.Status()
		if st == gp.RxRequested || rq.Changed().Before(since) {
			continue
		}
		id := rq.OrderID + "." + string(st)
		if st == gp.RxRejected {
			id += "." + rq.ID // each rejection has its own reason
		}
		if i, ok := index[id]; ok {
			out[i].Medicines = append(out[i].Medicines, rq.Name)
			continue
		}
		index[id] = len(out)
		out = append(out, api.Notification{ID: id, Kind: "prescription", Status: string(st), Medicines: []string{rq.Name},
			Pharmacy: rq.Pharmacy.Name, Reason: rq.History[len(rq.History)-1].Reason, At: rq.Changed().UnixMilli()})
	}
	if len(out) == 0 {
		return nil, nil
	}
	ids := make([]any, len(out))
	for i, n := range out {
		ids[i] = n.ID
	}
	read, err := s.Redis.SMIsMember(r.Context(), readKey(p), ids...).Result()
	if err != nil {
		return nil, errors.Join(ErrUnavailable, err)
	}
	unread := out[:0]
	for i, n := range out {
		if !read[i] {
			unread = append(unread, n)
		}
	}
	return unread, nil
}

// readKey holds the notifications marked read for a patient (by whoever
// reads them: the patient or someone acting for them).
func readKey(p *access.Patient) string { return "companion:read:" + p.ID() }

// readTTL outlasts notifyWindow, after which a notification is not shown
// anyway.
const readTTL = notifyWindow + 24*time.Hour

// markRead marks one of the patient's notifications read.
func (s *Server) markRead(r *http.Request, p *access.Patient, id string) error {
	reqs, err := p.Prescriptions().Requests(r.Context())
	if err != nil {
		return err
	}
	list, err := s.notifications(r, p, reqs)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(list, func(n api.Notification) bool { return n.ID == id }) {
		return ErrNoNotification
	}
	pipe := s.Redis.TxPipeline()
	pipe.SAdd(r.Context(), readKey(p), id)
	pipe.Expire(r.Context(), readKey(p), readTTL)
	if _, err := pipe.Exec(r.Context()); err != nil {
		return errors.Join(ErrUnavailable, err)
	}
	return nil
}

// homeNotifications are the notifications and recent requests to the
// practice of whoever the session acts for, as far as the person may see
// them.
func (s *Server) homeNotifications(r *http.Request, st *api.PageState) {
	sess := identityFrom(r.Context(), "patient").session
	if sess == nil {
		return
	}
	pid := sess.ActingFor
	if pid == "" {
		pid = s.Access.Self(actorOf(sess))
	}
	s.homeContacts(r, pid, actorOf(sess), st)
	p, err := s.Access.Authorize(r.Context(), actorOf(sess), pid, prescriptions)
	if err != nil {
		return
	}
	reqs, err := p.Prescriptions().Requests(r.Context())
	if err != nil {
		s.logger(r).Warn("home notifications", "err", err)
		return
	}
	if st.Notifications, err = s.notifications(r, p, reqs); err != nil {
		s.logger(r).Warn("home notifications", "err", err)
	}
}

// --- API ---

// apiRepeats answers GET /api/v1/patients/{pid}/repeats.
func (s *Server) apiRepeats(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	m, err := s.medicines(r, p)
	if err != nil {
		return err
	}
	s.auditPatient(r, p, "view_prescriptions", "success", "")
	writeJSON(w, http.StatusOK, m.views())
	return nil
}

// apiRequests answers GET /api/v1/patients/{pid}/prescription-requests.
func (s *Server) apiRequests(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	reqs, err := p.Prescriptions().Requests(r.Context())
	if err != nil {
		return err
	}
	out := []api.PrescriptionRequest{}
	for _, rq := range reqs {
		out = append(out, requestView(rq))
	}
	s.auditPatient(r, p, "view_prescriptions", "success", "")
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiOrder answers POST /api/v1/patients/{pid}/prescription-requests.
func (s *Server) apiOrder(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	var req api.OrderRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if len(req.MedicationIDs) > 50 {
		return ErrBadRequest
	}
	res, err := s.order(r, p, req, r.Header.Get("Idempotency-Key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, res)
	return nil
}

// apiNomination answers GET /api/v1/patients/{pid}/pharmacy.
func (s *Server) apiNomination(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	ph, ok, err := p.Prescriptions().Nominated(r.Context())
	if err != nil {
		return err
	}
	out := api.Nomination{}
	if ok {
		v := pharmacyView(ph)
		out.Pharmacy = &v
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiNominate answers PUT /api/v1/patients/{pid}/pharmacy.
func (s *Server) apiNominate(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	var req api.NominationRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	ph, err := s.nominate(r, p, req.PharmacyODS)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, api.Nomination{Pharmacy: &ph})
	return nil
}

// apiPharmacies answers GET /api/v1/pharmacies?q= (a name or postcode).
func (s *Server) apiPharmacies(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.requireSession(r, "patient"); err != nil {
		return err
	}
	out, err := s.searchPharmacies(r, r.URL.Query().Get("q"))
	if err != nil {
		return err
	}
	if out == nil {
		out = []api.Pharmacy{}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiNotifications answers GET /api/v1/patients/{pid}/notifications.
func (s *Server) apiNotifications(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	reqs, err := p.Prescriptions().Requests(r.Context())
	if err != nil {
		return err
	}
	list, err := s.notifications(r, p, reqs)
	if err != nil {
		return err
	}
	if list == nil {
		list = []api.Notification{}
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}

// apiMarkRead answers POST /api/v1/patients/{pid}/notifications/{id}/read.
func (s *Server) apiMarkRead(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	if err := s.markRead(r, p, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// --- pages ---

// prescriptionsPage renders /prescriptions: what can be ordered, what is on
// its way, and the nominated pharmacy.
func (s *Server) prescriptionsPage(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	m, err := s.medicines(r, p)
	if err != nil {
		return err
	}
	sum := p.Summary()
	v := &api.Prescriptions{Patient: patientName(p), Repeats: m.views(), Requests: []api.PrescriptionRequest{},
		Practice: sum.Practice.Name, Phone: sum.Practice.Phone, EarlyDays: m.x.Rules().EarlyDays}
	for _, rq := range m.requests {
		v.Requests = append(v.Requests, requestView(rq))
	}
	ph, ok, err := m.x.Nominated(r.Context())
	if err != nil {
		return err
	}
	if ok {
		pv := pharmacyView(ph)
		v.Pharmacy = &pv
	}
	q := r.URL.Query()
	if order := q.Get("ordered"); order != "" {
		for _, rq := range v.Requests {
			if rq.OrderID == order {
				v.Ordered = append(v.Ordered, rq)
			}
		}
	}
	if q.Get("pharmacy") == "changed" && ok {
		v.Notice = "pharmacy_changed"
	}
	s.auditPatient(r, p, "view_prescriptions", "success", "")
	st := s.pageState(r)
	st.Prescriptions = v
	return s.Renderer.Render(w, r, http.StatusOK, st, ui.PrescriptionsPage)
}

// orderDraft is an order in progress, kept between the ordering steps on
// the server: the note is clinical, so it never travels in a URL.
type orderDraft struct {
	IDs      []string `json:"ids,omitempty"`
	Note     string   `json:"note,omitempty"`
	NoteDone bool     `json:"note_done,omitempty"`
	Pharmacy string   `json:"pharmacy,omitempty"`
	Key      string   `json:"key,omitempty"`
	// Ordered is the order the draft became: pressing Send again shows
	// its confirmation, and the next visit starts afresh.
	Ordered string `json:"ordered,omitempty"`
}

// orderSteps are the ordering pages, in order.
var orderSteps = []string{"medicines", "note", "pharmacy", "check"}

// reached is the furthest step the draft allows.
func (d orderDraft) reached() string {
	switch {
	case len(d.IDs) == 0:
		return "medicines"
	case !d.NoteDone:
		return "note"
	case d.Pharmacy == "":
		return "pharmacy"
	}
	return "check"
}

// orderPage renders the ordering steps at /prescriptions/order?step=.
func (s *Server) orderPage(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	var d orderDraft
	if err := s.loadDraft(r, p, "rx", &d); err != nil {
		return err
	}
	if d.Ordered != "" {
		d = orderDraft{}
	}
	step := r.URL.Query().Get("step")
	if step == "" {
		step = "medicines"
	}
	if !slices.Contains(orderSteps, step) {
		return ErrNotFound
	}
	if slices.Index(orderSteps, step) > slices.Index(orderSteps, d.reached()) {
		http.Redirect(w, r, orderURL(d.reached()), http.StatusSeeOther)
		return nil
	}
	return s.renderOrder(w, r, p, d, step, nil, http.StatusOK)
}

func orderURL(step string) string {
	if step == "medicines" {
		return "/prescriptions/order"
	}
	return "/prescriptions/order?step=" + step
}

// renderOrder renders one ordering step from the draft.
func (s *Server) renderOrder(w http.ResponseWriter, r *http.Request, p *access.Patient, d orderDraft, step string, errs []*Error, status int) error {
	m, err := s.medicines(r, p)
	if err != nil {
		return err
	}
	l := s.Catalogue.Localizer(localeFrom(r.Context()))
	f := &api.OrderForm{Step: step, Patient: patientName(p), Repeats: m.views(), Selected: d.IDs, Note: d.Note,
		NoteMax: m.x.Rules().NoteMax, Early: m.early(d.IDs), IdempotencyKey: d.Key}
	field := map[string]string{"medicines": "medicines", "note": "note", "pharmacy": "pharmacy", "check": "check"}[step]
	for _, e := range errs {
		f.Errors = append(f.Errors, api.FieldError{Field: field, Code: e.Code, Message: l.T(e.MessageID, "Days", m.x.Rules().EarlyDays, "Max", m.x.Rules().NoteMax)})
	}
	nominated, ok, err := m.x.Nominated(r.Context())
	if err != nil {
		return err
	}
	if ok {
		v := pharmacyView(nominated)
		f.Nominated = &v
	}
	if d.Pharmacy != "" {
		if ph, err := s.pharmacy(r, d.Pharmacy); err == nil {
			v := pharmacyView(ph)
			f.Pharmacy = &v
		}
	}
	if step == "pharmacy" {
		q := r.URL.Query()
		f.Query, f.Searched = strings.TrimSpace(q.Get("q")), q.Has("q")
		if f.Results, err = s.searchPharmacies(r, f.Query); err != nil {
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
		return ErrBadRequest
	}
	f := r.PostForm
	var d orderDraft
	if err := s.loadDraft(r, p, "rx", &d); err != nil {
		return err
	}
	step := f.Get("step")
	if d.Ordered != "" {
		if step == "check" {
			http.Redirect(w, r, "/prescriptions?ordered="+url.QueryEscape(d.Ordered), http.StatusSeeOther)
			return nil
		}
		d = orderDraft{}
	}
	fail := func(k *Error) error { return s.renderOrder(w, r, p, d, step, []*Error{k}, k.Status) }
	next := ""
	switch step {
	case "medicines":
		m, err := s.medicines(r, p)
		if err != nil {
			return err
		}
		ids, err := m.choose(f["medicine"])
		if err != nil {
			d.IDs = f["medicine"]
			return fail(kind(err))
		}
		d.IDs, d.Key, next = ids, "", "note"
	case "note":
		if len(d.IDs) == 0 {
			break
		}
		m, err := s.medicines(r, p)
		if err != nil {
			return err
		}
		d.Note = f.Get("note")
		note, err := checkNote(d.Note, m.x.Rules(), len(m.early(d.IDs)) > 0)
		if err != nil {
			return fail(kind(err))
		}
		d.Note, d.NoteDone, d.Key, next = note, true, "", "pharmacy"
	case "pharmacy":
		if len(d.IDs) == 0 {
			break
		}
		ods := f.Get("pharmacy")
		if ods == "" {
			return fail(ErrPharmacyRequired)
		}
		if _, err := s.pharmacy(r, ods); err != nil {
			return fail(kind(err))
		}
		d.Pharmacy, d.Key, next = ods, "", "check"
	case "check":
		if d.reached() != "check" {
			break
		}
		req := api.OrderRequest{MedicationIDs: d.IDs, Note: d.Note, PharmacyODS: d.Pharmacy}
		var res api.OrderResult
		err := waitInProgress(func() (err error) { res, err = s.order(r, p, req, f.Get("idempotency_key")); return err })
		if err != nil {
			k, err := s.sendFailed(r, p, "rx", &d, &d.Key, err)
			if err != nil {
				return err
			}
			return fail(k)
		}
		d.Ordered = res.OrderID
		return s.sent(w, r, p, "rx", d, "/prescriptions?ordered="+url.QueryEscape(res.OrderID))
	}
	if next == "check" && d.Key == "" {
		d.Key = newKey()
	}
	if next != "" {
		next = orderURL(next)
	}
	return s.advance(w, r, p, "rx", d, next, orderURL(d.reached()))
}

// pharmacyPage renders /prescriptions/pharmacy: the nominated pharmacy and
// a search for another.
func (s *Server) pharmacyPage(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	return s.renderPharmacy(w, r, p, nil, http.StatusOK)
}

func (s *Server) renderPharmacy(w http.ResponseWriter, r *http.Request, p *access.Patient, e *Error, status int) error {
	v := &api.PharmacyChoice{Patient: patientName(p)}
	ph, ok, err := p.Prescriptions().Nominated(r.Context())
	if err != nil {
		return err
	}
	if ok {
		pv := pharmacyView(ph)
		v.Current = &pv
	}
	q := r.URL.Query()
	v.Query, v.Searched = strings.TrimSpace(q.Get("q")), q.Has("q")
	if v.Results, err = s.searchPharmacies(r, v.Query); err != nil {
		return err
	}
	if e != nil {
		l := s.Catalogue.Localizer(localeFrom(r.Context()))
		v.Errors = []api.FieldError{{Field: "pharmacy", Code: e.Code, Message: l.T(e.MessageID)}}
	}
	st := s.pageState(r)
	st.PharmacyChoice = v
	r.URL.Path = "/prescriptions/pharmacy"
	return s.Renderer.Render(w, r, status, st, ui.PharmacyPage)
}

// pharmacySubmit changes the nominated pharmacy.
func (s *Server) pharmacySubmit(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	if err := r.ParseForm(); err != nil {
		return ErrBadRequest
	}
	ods := r.PostForm.Get("pharmacy")
	if ods == "" {
		return s.renderPharmacy(w, r, p, ErrPharmacyRequired, ErrPharmacyRequired.Status)
	}
	if _, err := s.nominate(r, p, ods); err != nil {
		if k := kind(err); k.Status < 500 {
			return s.renderPharmacy(w, r, p, k, k.Status)
		}
		return err
	}
	http.Redirect(w, r, "/prescriptions?pharmacy=changed", http.StatusSeeOther)
	return nil
}

// markReadSubmit marks a notification read from the home page's banner.
func (s *Server) markReadSubmit(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	if err := s.markRead(r, p, r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}
