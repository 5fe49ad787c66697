// Package prescribing is ordering repeat prescriptions: which repeats can be
// ordered now and why not, the practice's rules for notes and early orders,
// idempotent orders and their audit trail, the nominated pharmacy, and the
// news of each order's progress with its read state.
//
// It is server-only, and must not import the HTTP package (server) or app/ui.
package prescribing

import (
	"context"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/audit"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/flags"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/notify"
	"github.com/nhs-companion/companion/server/reqstate"
	"github.com/nhs-companion/companion/server/text"
)

// Refusals.
var (
	ErrAlreadyRequested = fault.New(fault.Conflict, "already_requested", "rx.error.alreadyRequested")
	ErrReviewDue        = fault.New(fault.Conflict, "review_due", "rx.error.reviewDue")
	ErrEarlyReason      = fault.New(fault.Invalid, "reason_required", "rx.error.early")
	ErrNoteTooLong      = fault.New(fault.Invalid, "note_too_long", "rx.error.noteTooLong")
	ErrNoMedicine       = fault.New(fault.Invalid, "medicine_required", "rx.error.none")
	// ErrUnknownMedicine: an ID that is none of the patient's repeat
	// medicines (made up, or someone else's).
	ErrUnknownMedicine  = fault.New(fault.Invalid, "unknown_medicine", "rx.error.unknown")
	ErrUnknownPharmacy  = fault.New(fault.Invalid, "unknown_pharmacy", "rx.error.pharmacyUnknown")
	ErrPharmacyRequired = fault.New(fault.Invalid, "pharmacy_required", "rx.error.pharmacyRequired")
	ErrNoNotification   = fault.New(fault.NotFound, "notification_not_found", "error.notFound")
)

// Need is what ordering repeats needs: the permission, the practice's flag
// and high identity proofing (medicines are clinical data).
var Need = access.Need{Feature: flags.Prescriptions, Permission: nhs.PermPrescriptions, P9: true}

// MaxMedicines bounds the medicines one order may name.
const MaxMedicines = 50

// maxSearchResults bounds a pharmacy search's answer.
const maxSearchResults = 20

// Service orders repeats. Its fields are set at wiring time.
type Service struct {
	// Directory finds pharmacies (it holds no patient data).
	Directory gp.Practices
	Idem      *reqstate.Idempotency
	Audit     *audit.Trail
	Reads     *ReadState
	// Notify watches orders placed until they are ready (nil: none).
	Notify *notify.Service
}

// PharmacyView is a pharmacy's wire form.
func PharmacyView(ph gp.Pharmacy) api.Pharmacy {
	return api.Pharmacy{ODS: ph.ODS, Name: ph.Name, Address: slices.Clone(ph.Address), Postcode: ph.Postcode, Phone: ph.Phone}
}

// RequestView is a prescription request's wire form.
func RequestView(rq gp.Request) api.PrescriptionRequest {
	v := api.PrescriptionRequest{ID: rq.ID, OrderID: rq.OrderID, RepeatID: rq.RepeatID, Name: rq.Name, Dose: rq.Dose,
		Quantity: rq.Quantity, Note: rq.Note, Pharmacy: PharmacyView(rq.Pharmacy), Status: string(rq.Status()), Pending: rq.Pending()}
	for _, h := range rq.History {
		v.History = append(v.History, api.StatusChange{Status: string(h.Status), At: h.At.UnixMilli(), Reason: h.Reason})
	}
	return v
}

// Medicines is what the patient's repeats and requests say now.
type Medicines struct {
	x        access.Prescriptions
	Repeats  []gp.Repeat
	Requests []gp.Request
	pending  map[string]bool // repeat IDs with a request on its way
}

// Medicines reads the patient's repeats and requests.
func (s *Service) Medicines(ctx context.Context, p *access.Patient) (*Medicines, error) {
	x := p.Prescriptions()
	m := &Medicines{x: x, pending: map[string]bool{}}
	var err error
	if m.Repeats, err = x.Repeats(ctx); err != nil {
		return nil, err
	}
	if m.Requests, err = x.Requests(ctx); err != nil {
		return nil, err
	}
	for _, rq := range m.Requests {
		if rq.Pending() {
			m.pending[rq.RepeatID] = true
		}
	}
	return m, nil
}

// Rules are the practice's rules for ordering.
func (m *Medicines) Rules() gp.PrescriptionRules { return m.x.Rules() }

// State says whether a repeat can be ordered now ("orderable"), and if not,
// why ("requested", "review_due", "early": orderable with a reason).
func (m *Medicines) State(rp gp.Repeat) string {
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

// Views are the repeats' wire forms.
func (m *Medicines) Views() []api.Repeat {
	out := make([]api.Repeat, 0, len(m.Repeats))
	for _, rp := range m.Repeats {
		out = append(out, api.Repeat{ID: rp.ID, Name: rp.Name, Dose: rp.Dose, Quantity: rp.Quantity,
			LastIssued: rp.LastIssued.String(), Due: rp.Due().String(), ReviewDate: rp.ReviewDate.String(), State: m.State(rp)})
	}
	return out
}

func (m *Medicines) repeat(id string) (gp.Repeat, bool) {
	i := slices.IndexFunc(m.Repeats, func(rp gp.Repeat) bool { return rp.ID == id })
	if i < 0 {
		return gp.Repeat{}, false
	}
	return m.Repeats[i], true
}

// Choose checks the chosen medicines: each one of the patient's and
// orderable now. It returns them without repeats, in the order given.
func (m *Medicines) Choose(ids []string) ([]string, error) {
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
		switch m.State(rp) {
		case "requested":
			return nil, ErrAlreadyRequested
		case "review_due":
			return nil, ErrReviewDue
		}
		out = append(out, id)
	}
	return out, nil
}

// Early names the chosen medicines ordered early.
func (m *Medicines) Early(ids []string) []string {
	var out []string
	for _, id := range ids {
		if rp, ok := m.repeat(id); ok && m.State(rp) == "early" {
			out = append(out, rp.Name)
		}
	}
	return out
}

// CheckNote applies the practice's rules to the note: a length limit, and a
// reason when anything is ordered early.
func CheckNote(note string, rules gp.PrescriptionRules, early bool) (string, error) {
	note = strings.TrimSpace(note)
	switch {
	case utf8.RuneCountInString(note) > rules.NoteMax:
		return "", ErrNoteTooLong
	case text.Unsafe(note):
		return "", fault.ErrBadRequest
	case note == "" && early:
		return "", ErrEarlyReason
	}
	return note, nil
}

// Pharmacy looks a pharmacy up by ODS code.
func (s *Service) Pharmacy(ctx context.Context, ods string) (gp.Pharmacy, error) {
	if ods == "" || len(ods) > 20 {
		return gp.Pharmacy{}, ErrUnknownPharmacy
	}
	ph, err := s.Directory.Pharmacy(ctx, ods)
	if errors.Is(err, gp.ErrNotFound) {
		return gp.Pharmacy{}, ErrUnknownPharmacy
	}
	return ph, err
}

// SearchPharmacies finds pharmacies by name or postcode (nil for no search).
func (s *Service) SearchPharmacies(ctx context.Context, q string) ([]api.Pharmacy, error) {
	q = strings.TrimSpace(q)
	if q == "" || utf8.RuneCountInString(q) > 100 {
		return nil, nil
	}
	found, err := s.Directory.Pharmacies(ctx, q)
	if err != nil {
		return nil, err
	}
	out := []api.Pharmacy{}
	for _, ph := range found {
		if len(out) == maxSearchResults {
			break
		}
		out = append(out, PharmacyView(ph))
	}
	return out, nil
}

// Nominated is the patient's nominated pharmacy in wire form (nil if none).
func (s *Service) Nominated(ctx context.Context, p *access.Patient) (*api.Pharmacy, error) {
	ph, ok, err := p.Prescriptions().Nominated(ctx)
	if err != nil || !ok {
		return nil, err
	}
	v := PharmacyView(ph)
	return &v, nil
}

// Order orders medicines for the patient, once per idempotency key (a retry
// gets the first answer, even though the medicines are now on their way):
// checked here for clear errors, and again by the GP system in the same
// atomic step as recording the order. route is the route the order came
// by, which keys are scoped to.
func (s *Service) Order(ctx context.Context, p *access.Patient, req api.OrderRequest, key, route string) (api.OrderResult, error) {
	if len(req.MedicationIDs) > MaxMedicines {
		return api.OrderResult{}, fault.ErrBadRequest
	}
	scope := reqstate.Scope{Actor: p.Actor().Subject, Patient: p.ID(), Route: route}
	return reqstate.Do(ctx, s.Idem, scope, key, req, func() (api.OrderResult, error) {
		reqs, err := s.place(ctx, p, req)
		outcome, code := access.Outcome(err)
		object := ""
		if err == nil && len(reqs) > 0 {
			object = "order:" + reqs[0].OrderID
		}
		s.Audit.Record(ctx, p.Event("order_prescription", outcome, code, object))
		if err != nil {
			return api.OrderResult{}, err
		}
		res := api.OrderResult{Requests: []api.PrescriptionRequest{}}
		for _, rq := range reqs {
			res.OrderID = rq.OrderID
			res.Requests = append(res.Requests, RequestView(rq))
		}
		if res.OrderID != "" {
			s.watch(ctx, p, res.OrderID)
		}
		return res, nil
	})
}

// place checks an order against the patient's medicines and the practice's
// rules, then sends it to the GP system.
func (s *Service) place(ctx context.Context, p *access.Patient, req api.OrderRequest) ([]gp.Request, error) {
	m, err := s.Medicines(ctx, p)
	if err != nil {
		return nil, err
	}
	ids, err := m.Choose(req.MedicationIDs)
	if err != nil {
		return nil, err
	}
	note, err := CheckNote(req.Note, m.Rules(), len(m.Early(ids)) > 0)
	if err != nil {
		return nil, err
	}
	ods := req.PharmacyODS
	if ods == "" {
		nominated, ok, err := m.x.Nominated(ctx)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, ErrPharmacyRequired
		}
		ods = nominated.ODS
	}
	if _, err := s.Pharmacy(ctx, ods); err != nil {
		return nil, err
	}
	reqs, err := m.x.Order(ctx, ids, note, ods)
	switch {
	case errors.Is(err, gp.ErrNotFound):
		err = ErrUnknownMedicine
	case errors.Is(err, gp.ErrTooEarly):
		err = ErrEarlyReason
	case errors.Is(err, gp.ErrAlreadyRequested):
		err = ErrAlreadyRequested
	case errors.Is(err, gp.ErrReviewDue):
		err = ErrReviewDue
	}
	return reqs, err
}

// Nominate changes the patient's nominated pharmacy.
func (s *Service) Nominate(ctx context.Context, p *access.Patient, ods string) (api.Pharmacy, error) {
	if _, err := s.Pharmacy(ctx, ods); err != nil {
		return api.Pharmacy{}, err
	}
	ph, err := p.Prescriptions().Nominate(ctx, ods)
	if errors.Is(err, gp.ErrNotFound) {
		err = ErrUnknownPharmacy
	}
	outcome, code := access.Outcome(err)
	s.Audit.Record(ctx, p.Event("change_pharmacy", outcome, code, "pharmacy:"+ods))
	if err != nil {
		return api.Pharmacy{}, err
	}
	return PharmacyView(ph), nil
}

// Viewed audits that the patient's prescriptions are about to be shown;
// an error means they must not be.
func (s *Service) Viewed(ctx context.Context, p *access.Patient) error {
	return s.Audit.Access(ctx, p.Event("view_prescriptions", "success", "", ""))
}
