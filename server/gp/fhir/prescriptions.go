package fhir

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/nhs-companion/companion/server/fhir"
	"github.com/nhs-companion/companion/server/gp"
)

// Repeat prescribing. A repeat template is one of the patient's record
// MedicationRequests: intent order, status active, a continuous course,
// with a supply duration (dispenseRequest.expectedSupplyDuration, days)
// and a review date (an extension). A request for a medicine is a Task
// whose focus is that template, owned by the practice; its businessStatus
// is where it stands (Companion's request status codes), each update of
// the Task a step of its history. Medicines ordered together share the
// Tasks' groupIdentifier. Ordering is one transaction that creates the
// Tasks and updates each template at the version read (marking when it
// was last ordered), so of concurrent orders of one medicine one is made
// and the others find it on its way.
const (
	TaskTypeSystem       = "https://companion.nhs.uk/fhir/CodeSystem/task-type"
	TaskRepeat           = "repeat-prescription"
	RxStatusSystem       = "https://companion.nhs.uk/fhir/CodeSystem/prescription-request-status"
	OrderSystem          = "https://companion.nhs.uk/fhir/Id/prescription-order"
	ExtReviewDate        = "https://companion.nhs.uk/fhir/StructureDefinition/review-date"
	ExtRequestedBy       = "https://companion.nhs.uk/fhir/StructureDefinition/requested-by"
	ExtStatusAt          = "https://companion.nhs.uk/fhir/StructureDefinition/status-at"
	ExtLastOrdered       = "https://companion.nhs.uk/fhir/StructureDefinition/last-ordered-online"
	ExtNominatedPharmacy = "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NominatedPharmacy"
)

// TaskStatus is the FHIR Task status of each request status (the exact
// status is the Task's businessStatus).
var TaskStatus = map[gp.RequestStatus]string{
	gp.RxRequested: "requested", gp.RxApproved: "accepted", gp.RxRejected: "rejected",
	gp.RxSent: "in-progress", gp.RxReady: "ready", gp.RxDispensed: "completed",
}

// template is a repeat template as read, with what ordering needs.
type template struct {
	gp.Repeat
	raw  map[string]any
	etag string
}

// templateOf reads a MedicationRequest as the patient's repeat template.
func templateOf(raw json.RawMessage, pid string) (gp.Repeat, bool) {
	var mr struct {
		Status              string           `json:"status"`
		Intent              string           `json:"intent"`
		Subject             reference        `json:"subject"`
		CourseOfTherapyType *codeableConcept `json:"courseOfTherapyType"`
		Extension           []extension      `json:"extension"`
		DispenseRequest     *struct {
			ExpectedSupplyDuration *struct {
				Value json.Number `json:"value"`
			} `json:"expectedSupplyDuration"`
		} `json:"dispenseRequest"`
	}
	if json.Unmarshal(raw, &mr) != nil || mr.Intent != "order" || mr.Status != "active" || idOf(mr.Subject, "Patient") != pid ||
		mr.CourseOfTherapyType == nil || mr.CourseOfTherapyType.code("http://terminology.hl7.org/CodeSystem/medicationrequest-course-of-therapy") != "continuous" ||
		mr.DispenseRequest == nil || mr.DispenseRequest.ExpectedSupplyDuration == nil {
		return gp.Repeat{}, false
	}
	m, ok, err := fhir.ReadMedicine(raw)
	if err != nil || !ok || m.Sensitive {
		return gp.Repeat{}, false
	}
	days, _ := strconv.Atoi(mr.DispenseRequest.ExpectedSupplyDuration.Value.String())
	review, _ := gp.ParseDate(extValue(mr.Extension, ExtReviewDate))
	return gp.Repeat{ID: m.ID, Drug: m.Drug, Name: m.Name, Dose: m.Dose, Quantity: m.Quantity,
		SupplyDays: days, LastIssued: m.LastIssued, ReviewDate: review}, days > 0
}

// Repeats lists the patient's current repeat templates, ordered by name.
func (s *System) Repeats(ctx context.Context, patientNHS string) ([]gp.Repeat, error) {
	_, pid, err := s.patientResource(ctx, patientNHS)
	if err != nil {
		return nil, fmt.Errorf("repeats: %w", err)
	}
	out := []gp.Repeat{}
	err = s.c.search(ctx, "MedicationRequest", url.Values{"patient": {ref("Patient", pid)}, "intent": {"order"}, "status": {"active"}, "_count": {"200"}},
		func(raw json.RawMessage) error {
			if r, ok := templateOf(raw, pid); ok {
				out = append(out, r)
			}
			return nil
		}, nil)
	if err != nil {
		return nil, fmt.Errorf("repeats: %w", err)
	}
	slices.SortFunc(out, func(a, b gp.Repeat) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	return out, nil
}

// Order records one request per medicine, all or none.
func (s *System) Order(ctx context.Context, o gp.Order) ([]gp.Request, error) {
	var ids []string
	for _, id := range o.RepeatIDs {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, errors.New("order: no medicines")
	}
	p, pid, err := s.patient(ctx, o.PatientNHS)
	if err != nil {
		return nil, fmt.Errorf("order: %w", err)
	}
	if p.PracticeODS == "" || p.PracticeODS != o.PracticeODS {
		return nil, fmt.Errorf("order: patient at the practice: %w", gp.ErrNotFound)
	}
	ctx = withPractice(ctx, o.PracticeODS)
	info, err := s.practice(ctx, o.PracticeODS)
	if err != nil {
		return nil, fmt.Errorf("order: %w", err)
	}
	ph, phID, err := s.pharmacy(ctx, o.PharmacyODS)
	if err != nil {
		return nil, fmt.Errorf("order: %w", err)
	}
	note := strings.TrimSpace(o.Note)
	for range 3 {
		tmpls, err := s.orderable(ctx, pid, ids, o, note)
		if err != nil {
			return nil, fmt.Errorf("order: %w", err)
		}
		now := s.now()
		orderID := uuid.NewString()
		var entries []bundleEntry
		for _, t := range tmpls {
			tk := task{
				ResourceType: "Task", Status: TaskStatus[gp.RxRequested], Intent: "order",
				Code:            &codeableConcept{Coding: []coding{{System: TaskTypeSystem, Code: TaskRepeat}}},
				BusinessStatus:  &codeableConcept{Coding: []coding{{System: RxStatusSystem, Code: string(gp.RxRequested)}}},
				GroupIdentifier: &identifier{System: OrderSystem, Value: orderID},
				Focus:           &reference{Reference: ref("MedicationRequest", t.ID)},
				For:             &reference{Reference: ref("Patient", pid)},
				Owner:           &reference{Reference: ref("Organization", info.orgID), Identifier: &identifier{System: ODSSystem, Value: o.PracticeODS}},
				AuthoredOn:      now.UTC().Format(millis),
				Extension:       []extension{{URL: ExtStatusAt, ValueTime: now.UTC().Format(millis)}},
				Input: []taskInput{
					{Type: codeableConcept{Text: "medicine"}, ValueString: t.Name},
					{Type: codeableConcept{Text: "dose"}, ValueString: t.Dose},
					{Type: codeableConcept{Text: "quantity"}, ValueString: t.Quantity},
					{Type: codeableConcept{Text: "pharmacy"}, ValueReference: &reference{Reference: ref("Organization", phID), Identifier: &identifier{System: ODSSystem, Value: ph.ODS}}},
				},
			}
			if o.Actor != "" {
				tk.Extension = append(tk.Extension, extension{URL: ExtRequestedBy, ValueString: o.Actor})
			}
			if note != "" {
				tk.Note = []annotation{{Text: note}}
			}
			setExtension(t.raw, ExtLastOrdered, "valueDateTime", now.UTC().Format(millis))
			entries = append(entries,
				bundleEntry{Resource: raw(tk), Request: &bundleRequest{Method: "POST", URL: "Task"}},
				bundleEntry{Resource: raw(t.raw), Request: &bundleRequest{Method: "PUT", URL: ref("MedicationRequest", t.ID), IfMatch: t.etag}})
		}
		res, err := s.c.transaction(ctx, entries)
		if errors.Is(err, errConflict) {
			continue // a template changed since read: check again
		}
		if err != nil {
			return nil, fmt.Errorf("order: %w", err)
		}
		out := make([]gp.Request, 0, len(tmpls))
		for i := range tmpls {
			var made task
			if err := decode(res.Entry[2*i].Resource, &made); err != nil {
				return nil, fmt.Errorf("order: %w: %w", gp.ErrUnavailable, err)
			}
			out = append(out, requestOf(made, []task{made}, o.PatientNHS, ph, info.Location()))
		}
		return out, nil
	}
	return nil, fmt.Errorf("order: %w: kept changing", gp.ErrUnavailable)
}

// orderable reads the templates an order names and checks each may be
// ordered now.
func (s *System) orderable(ctx context.Context, pid string, ids []string, o gp.Order, note string) ([]template, error) {
	var out []template
	for _, id := range ids {
		var b json.RawMessage
		etag, err := s.c.read(ctx, "MedicationRequest", id, &b)
		if err != nil {
			return nil, err
		}
		r, ok := templateOf(b, pid)
		if !ok {
			return nil, gp.ErrNotFound
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("%w: %w", gp.ErrUnavailable, err)
		}
		out = append(out, template{Repeat: r, raw: m, etag: etag})
	}
	for _, t := range out {
		switch {
		case t.ReviewDue(o.Today):
			return nil, gp.ErrReviewDue
		case note == "" && t.Early(o.Today, o.EarlyDays):
			return nil, gp.ErrTooEarly
		}
		pending, err := s.pending(ctx, pid, t.ID)
		if err != nil {
			return nil, err
		}
		if pending {
			return nil, gp.ErrAlreadyRequested
		}
	}
	return out, nil
}

// pending reports whether a request for the template is on its way.
func (s *System) pending(ctx context.Context, pid, templateID string) (bool, error) {
	found, err := searchAll[task](ctx, s.c, "Task", url.Values{"focus": {ref("MedicationRequest", templateID)}, "code": {TaskTypeSystem + "|" + TaskRepeat}})
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(found, func(t task) bool {
		r := gp.Request{History: []gp.StatusChange{{Status: rxStatus(t)}}}
		return t.Focus != nil && idOf(*t.Focus, "MedicationRequest") == templateID && t.For != nil && idOf(*t.For, "Patient") == pid && r.Pending()
	}), nil
}

func rxStatus(t task) gp.RequestStatus {
	if t.BusinessStatus != nil {
		if c := t.BusinessStatus.code(RxStatusSystem); c != "" {
			return gp.RequestStatus(c)
		}
	}
	// A Task with no businessStatus: its FHIR status, read back (an
	// unknown one is taken as accepted, neither new nor done).
	for rs, ts := range TaskStatus {
		if ts == t.Status {
			return rs
		}
	}
	return gp.RxApproved
}

// PrescriptionRequests lists the patient's requests, newest first.
func (s *System) PrescriptionRequests(ctx context.Context, patientNHS string) ([]gp.Request, error) {
	p, pid, err := s.patient(ctx, patientNHS)
	if err != nil {
		return nil, fmt.Errorf("prescription requests: %w", err)
	}
	found, err := searchAll[task](ctx, s.c, "Task", url.Values{"patient": {ref("Patient", pid)}, "code": {TaskTypeSystem + "|" + TaskRepeat}, "_count": {"200"}})
	if err != nil {
		return nil, fmt.Errorf("prescription requests: %w", err)
	}
	loc := gp.UK
	if info, err := s.practice(ctx, p.PracticeODS); err == nil {
		loc = info.Location()
	}
	pharmacies := map[string]gp.Pharmacy{}
	out := []gp.Request{}
	for _, t := range found {
		if t.For == nil || idOf(*t.For, "Patient") != pid || t.Code == nil || t.Code.code(TaskTypeSystem) != TaskRepeat {
			continue
		}
		versions, err := s.history(ctx, t.ID)
		if err != nil {
			return nil, fmt.Errorf("prescription requests: %w", err)
		}
		ods := pharmacyODS(t)
		if _, ok := pharmacies[ods]; !ok {
			ph, _, err := s.pharmacy(ctx, ods)
			if err != nil && !errors.Is(err, gp.ErrNotFound) {
				return nil, fmt.Errorf("prescription requests: %w", err)
			}
			pharmacies[ods] = ph
		}
		out = append(out, requestOf(t, versions, patientNHS, pharmacies[ods], loc))
	}
	slices.SortFunc(out, func(a, b gp.Request) int {
		return cmp.Or(b.History[0].At.Compare(a.History[0].At), cmp.Compare(a.OrderID, b.OrderID), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// history reads every version of a Task, oldest first.
func (s *System) history(ctx context.Context, id string) ([]task, error) {
	var b bundle
	if _, err := s.c.do(ctx, http.MethodGet, s.c.base+"/Task/"+url.PathEscape(id)+"/_history", nil, nil, &b); err != nil {
		return nil, err
	}
	out := make([]task, 0, len(b.Entry))
	for _, e := range b.Entry {
		var t task
		if err := decode(e.Resource, &t); err != nil {
			return nil, fmt.Errorf("%w: %w", gp.ErrUnavailable, err)
		}
		out = append(out, t)
	}
	slices.SortStableFunc(out, func(a, b task) int { return statusAt(a).Compare(statusAt(b)) })
	return out, nil
}

func statusAt(t task) time.Time {
	v := extValue(t.Extension, ExtStatusAt)
	if v == "" && t.Meta != nil {
		v = t.Meta.LastUpdated
	}
	at, _ := time.Parse(time.RFC3339Nano, v)
	return at
}

func pharmacyODS(t task) string {
	for _, in := range t.Input {
		if in.Type.Text == "pharmacy" && in.ValueReference != nil && in.ValueReference.Identifier != nil {
			return in.ValueReference.Identifier.Value
		}
	}
	return ""
}

// requestOf maps a Task and its versions (oldest first) to a request.
func requestOf(t task, versions []task, patientNHS string, ph gp.Pharmacy, loc *time.Location) gp.Request {
	r := gp.Request{ID: t.ID, PatientNHS: patientNHS, Pharmacy: ph, RequestedBy: extValue(t.Extension, ExtRequestedBy)}
	if t.GroupIdentifier != nil {
		r.OrderID = t.GroupIdentifier.Value
	}
	if t.Focus != nil {
		r.RepeatID = idOf(*t.Focus, "MedicationRequest")
	}
	for _, in := range t.Input {
		switch in.Type.Text {
		case "medicine":
			r.Name = in.ValueString
		case "dose":
			r.Dose = in.ValueString
		case "quantity":
			r.Quantity = in.ValueString
		}
	}
	if len(t.Note) > 0 {
		r.Note = t.Note[0].Text
	}
	for _, v := range versions {
		st := rxStatus(v)
		if n := len(r.History); n > 0 && r.History[n-1].Status == st {
			continue
		}
		c := gp.StatusChange{Status: st, At: statusAt(v).In(loc)}
		if st == gp.RxRejected && v.StatusReason != nil {
			c.Reason = v.StatusReason.Text
		}
		r.History = append(r.History, c)
	}
	return r
}

// pharmacy finds a pharmacy and its Organization id.
func (s *System) pharmacy(ctx context.Context, ods string) (gp.Pharmacy, string, error) {
	if ods == "" {
		return gp.Pharmacy{}, "", gp.ErrNotFound
	}
	orgs, err := s.organisations(ctx, RolePharmacy, ods)
	if err != nil {
		return gp.Pharmacy{}, "", err
	}
	if len(orgs) == 0 {
		return gp.Pharmacy{}, "", gp.ErrNotFound
	}
	return pharmacyOf(orgs[0]), orgs[0].ID, nil
}

// NominatedPharmacy returns the pharmacy the patient's record nominates
// (UK Core's nominated-pharmacy extension on Patient).
func (s *System) NominatedPharmacy(ctx context.Context, patientNHS string) (gp.Pharmacy, bool, error) {
	pat, _, err := s.patientResource(ctx, patientNHS)
	if err != nil {
		return gp.Pharmacy{}, false, fmt.Errorf("nominated pharmacy: %w", err)
	}
	ods := ""
	for _, e := range pat.Extension {
		if e.URL == ExtNominatedPharmacy && e.ValueReference != nil && e.ValueReference.Identifier != nil {
			ods = e.ValueReference.Identifier.Value
		}
	}
	if ods == "" {
		return gp.Pharmacy{}, false, nil
	}
	ph, _, err := s.pharmacy(ctx, ods)
	if errors.Is(err, gp.ErrNotFound) {
		return gp.Pharmacy{}, false, nil
	}
	if err != nil {
		return gp.Pharmacy{}, false, fmt.Errorf("nominated pharmacy: %w", err)
	}
	return ph, true, nil
}

// Nominate makes ods the patient's nominated pharmacy.
func (s *System) Nominate(ctx context.Context, patientNHS, ods, actor string) (gp.Pharmacy, error) {
	_, pid, err := s.patientResource(ctx, patientNHS)
	if err != nil {
		return gp.Pharmacy{}, fmt.Errorf("nominate: %w", err)
	}
	ph, phID, err := s.pharmacy(ctx, ods)
	if err != nil {
		return gp.Pharmacy{}, fmt.Errorf("nominate: %w", err)
	}
	for range 3 {
		var b json.RawMessage
		etag, err := s.c.read(ctx, "Patient", pid, &b)
		if err != nil {
			return gp.Pharmacy{}, fmt.Errorf("nominate: %w", err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			return gp.Pharmacy{}, fmt.Errorf("nominate: %w: %w", gp.ErrUnavailable, err)
		}
		setExtension(m, ExtNominatedPharmacy, "valueReference", map[string]any{
			"reference": ref("Organization", phID), "identifier": map[string]any{"system": ODSSystem, "value": ph.ODS}})
		_, err = s.c.do(ctx, http.MethodPut, s.c.base+"/Patient/"+url.PathEscape(pid), http.Header{"If-Match": {etag}}, m, nil)
		if errors.Is(err, errConflict) {
			continue
		}
		if err != nil {
			return gp.Pharmacy{}, fmt.Errorf("nominate: %w", err)
		}
		return ph, nil
	}
	return gp.Pharmacy{}, fmt.Errorf("nominate: %w: kept changing", gp.ErrUnavailable)
}

// setExtension sets (or replaces) the extension url on a resource read as
// a map, keeping everything else it holds.
func setExtension(res map[string]any, url, key string, value any) {
	exts, _ := res["extension"].([]any)
	exts = slices.DeleteFunc(exts, func(e any) bool {
		m, _ := e.(map[string]any)
		return m["url"] == url
	})
	res["extension"] = append(exts, map[string]any{"url": url, key: value})
}
