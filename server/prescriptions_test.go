package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/nhs-companion/companion/app/api"
)

// repeatsOf is the patient's repeat medicines, by the first word of their
// name ("Salbutamol").
func repeatsOf(t testing.TB, b *browser, pid string) map[string]api.Repeat {
	t.Helper()
	var list []api.Repeat
	if st, code := b.call(t, "GET", "/api/v1/patients/"+pid+"/repeats", nil, &list); st != 200 {
		t.Fatalf("repeats: %d %s", st, code)
	}
	out := map[string]api.Repeat{}
	for _, rp := range list {
		out[strings.Fields(rp.Name)[0]] = rp
	}
	return out
}

func requestsOf(t testing.TB, b *browser, pid string) []api.PrescriptionRequest {
	t.Helper()
	var list []api.PrescriptionRequest
	if st, code := b.call(t, "GET", "/api/v1/patients/"+pid+"/prescription-requests", nil, &list); st != 200 {
		t.Fatalf("requests: %d %s", st, code)
	}
	return list
}

func TestOrderThroughTheAPI(t *testing.T) {
	e := mustStartServer(t)
	amara := e.signIn(t, "9990000018")
	pid := amara.pid(t)
	base := "/api/v1/patients/" + pid + "/prescription-requests"
	rx := repeatsOf(t, amara, pid)
	for name, want := range map[string]string{"Salbutamol": "orderable", "Cetirizine": "orderable", "Clenil": "review_due", "Desogestrel": "early"} {
		if got := rx[name].State; got != want {
			t.Errorf("%s: state %q, want %q", name, got, want)
		}
	}
	before := len(requestsOf(t, amara, pid))

	// Bad input is refused with a clear code and changes nothing.
	priya := e.signIn(t, "9990000034")
	priyas := repeatsOf(t, priya, priya.pid(t))
	long := strings.Repeat("a", 501)
	for _, c := range []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"no medicines", api.OrderRequest{}, 400, "medicine_required"},
		{"made-up ID", api.OrderRequest{MedicationIDs: []string{rx["Salbutamol"].ID, "rx-000000000000"}}, 400, "unknown_medicine"},
		{"someone else's ID", api.OrderRequest{MedicationIDs: []string{priyas["Sumatriptan"].ID}}, 400, "unknown_medicine"},
		{"review due", api.OrderRequest{MedicationIDs: []string{rx["Cetirizine"].ID, rx["Clenil"].ID}}, 409, "review_due"},
		{"early without a reason", api.OrderRequest{MedicationIDs: []string{rx["Desogestrel"].ID}}, 400, "reason_required"},
		{"note too long", api.OrderRequest{MedicationIDs: []string{rx["Salbutamol"].ID}, Note: long}, 400, "note_too_long"},
		{"control characters", api.OrderRequest{MedicationIDs: []string{rx["Salbutamol"].ID}, Note: "a\x00b"}, 400, "bad_request"},
		{"unknown pharmacy", api.OrderRequest{MedicationIDs: []string{rx["Salbutamol"].ID}, PharmacyODS: "FXX99"}, 400, "unknown_pharmacy"},
		{"unknown field", map[string]any{"medication_ids": []string{rx["Salbutamol"].ID}, "nhs_number": "9990000018"}, 400, "bad_request"},
		{"not JSON", "medicines please", 400, "bad_request"},
	} {
		if st, code := amara.call(t, "POST", base, c.body, nil); st != c.status || code != c.code {
			t.Errorf("%s: %d %s, want %d %s", c.name, st, code, c.status, c.code)
		}
	}
	if n := len(requestsOf(t, amara, pid)); n != before {
		t.Fatalf("bad orders changed the requests: %d, want %d", n, before)
	}

	// Two medicines, to the nominated pharmacy, once per key.
	var first, again api.OrderResult
	order := api.OrderRequest{MedicationIDs: []string{rx["Salbutamol"].ID, rx["Cetirizine"].ID}, Note: "Running low"}
	if st, code := amara.call(t, "POST", base, order, &first, "Idempotency-Key", "o1"); st != 201 || len(first.Requests) != 2 {
		t.Fatalf("order: %d %s %+v", st, code, first)
	}
	var nom api.Nomination
	amara.call(t, "GET", "/api/v1/patients/"+pid+"/pharmacy", nil, &nom)
	for _, rq := range first.Requests {
		if rq.Status != "requested" || rq.OrderID != first.OrderID || nom.Pharmacy == nil || rq.Pharmacy.ODS != nom.Pharmacy.ODS || rq.Note != "Running low" {
			t.Errorf("request %+v (nominated %+v)", rq, nom.Pharmacy)
		}
	}
	if st, _ := amara.call(t, "POST", base, order, &again, "Idempotency-Key", "o1"); st != 201 || again.OrderID != first.OrderID {
		t.Errorf("retry: %d %+v, want the first order %s", st, again, first.OrderID)
	}
	if st, code := amara.call(t, "POST", base, api.OrderRequest{MedicationIDs: []string{rx["Salbutamol"].ID}}, nil, "Idempotency-Key", "o1"); st != 422 || code != "idempotency_mismatch" {
		t.Errorf("key reuse: %d %s", st, code)
	}
	if st, code := amara.call(t, "POST", base, api.OrderRequest{MedicationIDs: []string{rx["Cetirizine"].ID}}, nil, "Idempotency-Key", "o2"); st != 409 || code != "already_requested" {
		t.Errorf("ordering again: %d %s", st, code)
	}
	if got := repeatsOf(t, amara, pid)["Salbutamol"].State; got != "requested" {
		t.Errorf("after ordering, Salbutamol is %q", got)
	}
	// Early, with a reason, to another pharmacy.
	var early api.OrderResult
	if st, code := amara.call(t, "POST", base, api.OrderRequest{MedicationIDs: []string{rx["Desogestrel"].ID, rx["Desogestrel"].ID}, Note: "Going abroad for three months", PharmacyODS: "FZZ02"}, &early); st != 201 || len(early.Requests) != 1 || early.Requests[0].Pharmacy.ODS != "FZZ02" {
		t.Errorf("early order with a reason: %d %s %+v", st, code, early)
	}
	list := requestsOf(t, amara, pid)
	if len(list) != before+3 || list[0].OrderID != early.OrderID {
		t.Errorf("requests after ordering: %d, newest %+v", len(list), list[0])
	}
	if !e.auditHas(t, "order_prescription", "") || !e.auditHas(t, "order_prescription", "review_due") {
		t.Error("orders are not audited")
	}
}

func TestConcurrentOrdersOfOneMedicineMakeOneRequest(t *testing.T) {
	e := mustStartServer(t)
	george := e.srv.Access.IDs.For("9990000042")
	priya := e.signIn(t, "9990000034")
	rx := repeatsOf(t, priya, george)
	const n = 40
	var wg sync.WaitGroup
	codes := make([]string, n)
	statuses := make([]int, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			statuses[i], codes[i] = priya.call(t, "POST", "/api/v1/patients/"+george+"/prescription-requests",
				api.OrderRequest{MedicationIDs: []string{rx["Apixaban"].ID}}, nil, "Idempotency-Key", fmt.Sprint("k", i))
		}(i)
	}
	wg.Wait()
	created := 0
	for i := range statuses {
		switch {
		case statuses[i] == 201:
			created++
		case statuses[i] != 409 || codes[i] != "already_requested":
			t.Errorf("order %d: %d %s", i, statuses[i], codes[i])
		}
	}
	apixaban := 0
	for _, rq := range requestsOf(t, priya, george) {
		if rq.RepeatID == rx["Apixaban"].ID {
			apixaban++
		}
	}
	if created != 1 || apixaban != 1 {
		t.Errorf("%d orders succeeded and George has %d apixaban requests, want 1 and 1", created, apixaban)
	}
}

func TestNominatedPharmacy(t *testing.T) {
	e := mustStartServer(t)
	amara := e.signIn(t, "9990000018")
	pid := amara.pid(t)
	path := "/api/v1/patients/" + pid + "/pharmacy"
	var found []api.Pharmacy
	if st, code := amara.call(t, "GET", "/api/v1/pharmacies?q=cf105", nil, &found); st != 200 || len(found) == 0 {
		t.Fatalf("search by postcode: %d %s %v", st, code, found)
	}
	for _, ph := range found {
		if !strings.HasPrefix(strings.ReplaceAll(ph.Postcode, " ", ""), "CF105") {
			t.Errorf("search for cf105 found %+v", ph)
		}
	}
	var before api.Nomination
	amara.call(t, "GET", path, nil, &before)
	for _, ods := range []string{"", "FXX99", strings.Repeat("F", 30)} {
		if st, code := amara.call(t, "PUT", path, api.NominationRequest{PharmacyODS: ods}, nil); st != 400 || code != "unknown_pharmacy" {
			t.Errorf("nominate %q: %d %s", ods, st, code)
		}
	}
	var after api.Nomination
	if amara.call(t, "GET", path, nil, &after); after.Pharmacy == nil || before.Pharmacy == nil || after.Pharmacy.ODS != before.Pharmacy.ODS {
		t.Fatalf("bad nominations changed the pharmacy: %+v → %+v", before.Pharmacy, after.Pharmacy)
	}
	if st, code := amara.call(t, "PUT", path, api.NominationRequest{PharmacyODS: found[0].ODS}, &after); st != 200 || after.Pharmacy.ODS != found[0].ODS {
		t.Fatalf("nominate: %d %s %+v", st, code, after)
	}
	amara.call(t, "GET", path, nil, &after)
	if after.Pharmacy.ODS != found[0].ODS {
		t.Errorf("nomination not kept: %+v", after.Pharmacy)
	}
	if !e.auditHas(t, "change_pharmacy", "") {
		t.Error("pharmacy change not audited")
	}
	// Signed out, the directory is closed.
	if st, code := e.newBrowser(t).call(t, "GET", "/api/v1/pharmacies?q=leeds", nil, nil); st != 401 {
		t.Errorf("signed-out search: %d %s", st, code)
	}
}

// TestOrderWithPlainForms orders for Layla, who has no nominated pharmacy,
// through every step as a browser without JavaScript does.
func TestOrderWithPlainForms(t *testing.T) {
	e := mustStartServer(t)
	amara := e.signIn(t, "9990000018")
	layla := e.srv.Access.IDs.For("9990000026")
	amara.post(t, "/profiles/"+layla+"/switch", nil)

	res, body := amara.get(t, "/prescriptions")
	if res.StatusCode != 200 || !strings.Contains(body, "Layla Okafor") || !strings.Contains(body, "does not have a nominated pharmacy") && !strings.Contains(body, "do not have a nominated pharmacy") {
		t.Fatalf("prescriptions: %d %s", res.StatusCode, textOf(parse(t, body)))
	}
	// Skipping ahead goes back to the first unanswered question.
	if res, _ = amara.get(t, "/prescriptions/order?step=check"); res.Request.URL.RawQuery != "" || res.Request.URL.Path != "/prescriptions/order" {
		t.Errorf("skipping ahead ended at %s", res.Request.URL)
	}
	res, body = amara.get(t, "/prescriptions/order")
	if res.StatusCode != 200 || !strings.Contains(body, "Which medicines do you need?") {
		t.Fatalf("medicines step: %d", res.StatusCode)
	}
	// Nothing chosen: the same question, with an error.
	if res, body = amara.post(t, "/prescriptions/order", url.Values{"step": {"medicines"}}); res.StatusCode != 400 || !strings.Contains(body, "Select the medicines you need") {
		t.Errorf("no medicine: %d", res.StatusCode)
	}
	med := nthRadio(t, body, "medicine", 0)
	res, body = amara.post(t, "/prescriptions/order", url.Values{"step": {"medicines"}, "medicine": {med}})
	if res.Request.URL.RawQuery != "step=note" {
		t.Fatalf("after medicines: %s", res.Request.URL)
	}
	if res, body = amara.post(t, "/prescriptions/order", url.Values{"step": {"note"}, "note": {strings.Repeat("x", 501)}}); res.StatusCode != 400 || !strings.Contains(body, "Your note is too long") {
		t.Errorf("long note: %d", res.StatusCode)
	}
	res, body = amara.post(t, "/prescriptions/order", url.Values{"step": {"note"}, "note": {"Her eczema is worse"}})
	if res.Request.URL.RawQuery != "step=pharmacy" || !strings.Contains(body, "Where should your prescription go?") {
		t.Fatalf("after note: %s", res.Request.URL)
	}
	if strings.Contains(res.Request.URL.String(), "eczema") {
		t.Error("the note travelled in a URL")
	}
	// No nominated pharmacy: nothing to choose until a search.
	if res, body = amara.post(t, "/prescriptions/order", url.Values{"step": {"pharmacy"}}); res.StatusCode != 400 || !strings.Contains(body, "Choose a pharmacy") {
		t.Errorf("no pharmacy: %d", res.StatusCode)
	}
	res, body = amara.get(t, "/prescriptions/order?step=pharmacy&q=LS1")
	ph := nthRadio(t, body, "pharmacy", 0)
	if res, body = amara.post(t, "/prescriptions/order", url.Values{"step": {"pharmacy"}, "pharmacy": {"FXX99"}}); res.StatusCode != 400 {
		t.Errorf("made-up pharmacy: %d", res.StatusCode)
	}
	res, body = amara.post(t, "/prescriptions/order", url.Values{"step": {"pharmacy"}, "pharmacy": {ph}})
	if res.Request.URL.RawQuery != "step=check" || !strings.Contains(body, "Check your request") || !strings.Contains(body, "Her eczema is worse") {
		t.Fatalf("check step: %s", res.Request.URL)
	}
	key := hiddenValue(t, body, "idempotency_key")
	form := url.Values{"step": {"check"}, "idempotency_key": {key}}
	res, body = amara.post(t, "/prescriptions/order", form)
	if res.StatusCode != 200 || res.Request.URL.Path != "/prescriptions" || !strings.Contains(body, "has been sent to the GP practice") {
		t.Fatalf("confirmation: %d %s", res.StatusCode, res.Request.URL)
	}
	confirmation := res.Request.URL.String()
	// Pressing Send twice orders once.
	if res2, _ := amara.post(t, "/prescriptions/order", form); res2.Request.URL.String() != confirmation {
		t.Errorf("double submit went to %s, want %s", res2.Request.URL, confirmation)
	}
	var list []api.PrescriptionRequest
	amara.call(t, "GET", "/api/v1/patients/"+layla+"/prescription-requests", nil, &list)
	if len(list) != 1 || list[0].Note != "Her eczema is worse" || list[0].Pharmacy.ODS != ph {
		t.Errorf("Layla's requests: %+v", list)
	}
	// The next order starts afresh.
	_, body = amara.get(t, "/prescriptions/order")
	for _, in := range all(parse(t, body), el("input")) {
		if _, checked := attr(in, "checked"); checked {
			t.Error("a new order starts with the last one's choices")
		}
	}
}

func TestPrescriptionNewsStaysOnHomeUntilRead(t *testing.T) {
	e := mustStartServer(t)
	amara := e.signIn(t, "9990000018")
	pid := amara.pid(t)
	_, body := amara.get(t, "/")
	if !strings.Contains(body, "is ready to collect at") {
		t.Fatalf("home has no ready-to-collect banner: %s", textOf(parse(t, body)))
	}
	var list []api.Notification
	if st, code := amara.call(t, "GET", "/api/v1/patients/"+pid+"/notifications", nil, &list); st != 200 || len(list) == 0 {
		t.Fatalf("notifications: %d %s %v", st, code, list)
	}
	// Someone else cannot mark it read, nor can a made-up one be.
	priya := e.signIn(t, "9990000034")
	if st, code := priya.call(t, "POST", "/api/v1/patients/"+pid+"/notifications/"+list[0].ID+"/read", nil, nil); st != 404 || code != "not_found" {
		t.Errorf("Priya marking Amara's news read: %d %s", st, code)
	}
	if st, code := amara.call(t, "POST", "/api/v1/patients/"+pid+"/notifications/nothing.ready_to_collect/read", nil, nil); st != 404 || code != "notification_not_found" {
		t.Errorf("made-up notification: %d %s", st, code)
	}
	res, body := amara.post(t, "/notifications/"+url.PathEscape(list[0].ID)+"/read", nil)
	if res.StatusCode != http.StatusOK || res.Request.URL.Path != "/" || strings.Contains(body, "is ready to collect at") {
		t.Errorf("after reading: %d %s, banner still there: %v", res.StatusCode, res.Request.URL, strings.Contains(body, "is ready to collect at"))
	}
	amara.call(t, "GET", "/api/v1/patients/"+pid+"/notifications", nil, &list)
	if len(list) != 0 {
		t.Errorf("still unread: %+v", list)
	}
	// One marker, under the patient's opaque ID, never their NHS number.
	if keys := e.redis.Keys(t, "companion:kept:read:*"); len(keys) != 1 ||
		!strings.Contains(keys[0], pid) || strings.Contains(keys[0], "9990000018") {
		t.Errorf("read markers: %v", keys)
	}
}

func TestP5IsToldToProveIdentityForPrescriptions(t *testing.T) {
	e := mustStartServer(t)
	tom := e.signIn(t, "9990000069")
	res, body := tom.get(t, "/prescriptions")
	if res.StatusCode != 403 || !strings.Contains(body, "Prove your identity") {
		t.Errorf("Tom's prescriptions page: %d %s", res.StatusCode, textOf(parse(t, body)))
	}
	if st, code := tom.call(t, "GET", "/api/v1/patients/"+tom.pid(t)+"/repeats", nil, nil); st != 403 || code != "proofing_level" {
		t.Errorf("Tom's repeats: %d %s", st, code)
	}
	if _, body = tom.get(t, "/"); strings.Contains(body, `href="/prescriptions"`) {
		t.Error("home links a P5 user to prescriptions")
	}
}
