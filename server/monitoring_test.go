package server_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nhs-companion/companion/app/api"
)

func monitoringPath(pid string) string { return "/api/v1/patients/" + pid + "/monitoring" }
func readingsPath(pid string) string   { return monitoringPath(pid) + "/readings" }

func boardPath(ods string) string { return "/api/v1/admin/practices/" + ods + "/monitoring" }

// readingsOf is the patient's readings, as the API gives them.
func readingsOf(t *testing.T, b *browser, pid string) api.Monitoring {
	t.Helper()
	var m api.Monitoring
	if st, code := b.call(t, "GET", monitoringPath(pid), nil, &m); st != 200 {
		t.Fatalf("monitoring: %d %s", st, code)
	}
	return m
}

func TestReadingsAreCheckedJudgedAndSentOnce(t *testing.T) {
	e := mustStartServer(t)
	amara := e.signIn(t, "9990000018")
	pid := amara.pid(t)
	before := readingsOf(t, amara, pid)
	if before.Plan == nil || !before.Plan.Active || len(before.Plan.Signs) != 1 || before.Plan.Signs[0].Sign != "blood_pressure" {
		t.Fatalf("Amara's plan: %+v", before.Plan)
	}
	if len(before.Readings) < 2 || before.Readings[0].Unit != "mm[Hg]" {
		t.Fatalf("Amara's seeded readings: %+v", before.Readings)
	}

	// Every refusal has its code and stores nothing.
	bidi := "fine\u202e"
	for _, tt := range []struct {
		in     api.NewReading
		status int
		code   string
	}{
		{api.NewReading{Sign: "blood_pressure", Values: []float64{30, 20}}, 422, "implausible_reading"},
		{api.NewReading{Sign: "blood_pressure", Values: []float64{130, 250}}, 422, "implausible_reading"},
		{api.NewReading{Sign: "blood_pressure", Values: []float64{80, 90}}, 422, "systolic_not_above_diastolic"},
		{api.NewReading{Sign: "blood_pressure", Values: []float64{130}}, 400, "reading_not_a_number"},
		{api.NewReading{Sign: "pulse", Values: []float64{70}}, 404, "reading_not_in_plan"},
		{api.NewReading{Sign: "heartbeat", Values: []float64{70}}, 404, "reading_not_in_plan"},
		{api.NewReading{Sign: "blood_pressure", Values: []float64{130, 80}, Note: bidi}, 400, "bad_note"},
		{api.NewReading{Sign: "blood_pressure", Values: []float64{130, 80}, Taken: time.Now().Add(time.Hour).UnixMilli()}, 400, "bad_time"},
		{api.NewReading{Sign: "blood_pressure", Values: []float64{130, 80}, Taken: time.Now().AddDate(0, 0, -8).UnixMilli()}, 400, "bad_time"},
	} {
		if st, code := amara.call(t, "POST", readingsPath(pid), tt.in, nil); st != tt.status || code != tt.code {
			t.Errorf("%+v: %d %s, want %d %s", tt.in, st, code, tt.status, tt.code)
		}
	}
	if got := readingsOf(t, amara, pid); len(got.Readings) != len(before.Readings) {
		t.Fatalf("refused readings stored: %d, want %d", len(got.Readings), len(before.Readings))
	}

	// Readings are judged against the plan: NICE's home targets for a
	// blood pressure (amber at 135/85, red at 180/120).
	for _, tt := range []struct {
		values         []float64
		attention, dir string
	}{{[]float64{128, 82}, "", ""}, {[]float64{150, 88}, "amber", "high"}, {[]float64{122, 121}, "red", "high"}, {[]float64{88, 60}, "red", "low"}} {
		var r api.Reading
		if st, code := amara.call(t, "POST", readingsPath(pid), api.NewReading{Sign: "blood_pressure", Values: tt.values, Note: "after a walk"}, &r); st != 201 {
			t.Fatalf("send %v: %d %s", tt.values, st, code)
		}
		if r.Attention != tt.attention || r.Direction != tt.dir || r.ID == "" || r.Note != "after a walk" || r.ByProxy {
			t.Errorf("send %v: %+v, want %s %s", tt.values, r, tt.attention, tt.dir)
		}
	}
	// A retry with the same key stores one reading.
	var first, again api.Reading
	in := api.NewReading{Sign: "blood_pressure", Values: []float64{131, 79}}
	amara.call(t, "POST", readingsPath(pid), in, &first, "Idempotency-Key", "r1")
	amara.call(t, "POST", readingsPath(pid), in, &again, "Idempotency-Key", "r1")
	if first.ID == "" || again.ID != first.ID {
		t.Errorf("retried reading: %q then %q", first.ID, again.ID)
	}
	after := readingsOf(t, amara, pid)
	if len(after.Readings) != len(before.Readings)+5 {
		t.Errorf("%d readings after five sent, had %d", len(after.Readings), len(before.Readings))
	}
	if after.Plan.Signs[0].Last == nil || after.Plan.Signs[0].Last.ID != first.ID || after.Plan.Signs[0].Missed {
		t.Errorf("the plan's latest reading: %+v", after.Plan.Signs[0])
	}
	if !e.auditHas(t, "send_reading", "red") || !e.auditHas(t, "view_monitoring", "") {
		t.Error("readings or views not audited")
	}

	// The practice sees Amara first (an unreviewed red reading), and the
	// red ones among what needs review; another practice's staff see none.
	sam := e.signInStaff(t, "staff-site-z00001")
	sam.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	var board api.MonitoringBoard
	if st, code := sam.call(t, "GET", boardPath("Z00001"), nil, &board); st != 200 || len(board.Patients) < 2 {
		t.Fatalf("board: %d %s %+v", st, code, board)
	}
	if top := board.Patients[0]; top.Name != "Amara Okafor" || top.Attention != "red" || top.Patient != pid {
		t.Errorf("top of the board: %+v", top)
	}
	if st, code := e.signInStaff(t, "staff-site-z00002").call(t, "GET", boardPath("Z00001"), nil, nil); st != 403 || code != "forbidden" {
		t.Errorf("another practice's staff: %d %s", st, code)
	}
	if st, _ := amara.call(t, "GET", boardPath("Z00001"), nil, nil); st != 401 {
		t.Errorf("a patient reading the board: %d", st)
	}
	// Her page at the practice: only its site staff, and only at a
	// practice where she is on a plan.
	page := "/admin/monitoring/patients/" + pid + "?practice="
	for _, tt := range []struct {
		who, practice string
		want          int
	}{{"staff-site-z00002", "Z00001", 403}, {"staff-site-z00002", "Z00002", 404}, {"staff-msg-z00001", "Z00001", 403}, {"staff-site-z00001", "Z00001", 200}} {
		if res, _ := e.signInStaff(t, tt.who).get(t, page+tt.practice); res.StatusCode != tt.want {
			t.Errorf("%s at %s: %d, want %d", tt.who, tt.practice, res.StatusCode, tt.want)
		}
	}
	amara.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if res, body := amara.get(t, page+"Z00001"); res.StatusCode == 200 || strings.Contains(body, "Readings reviewed") {
		t.Errorf("a patient reached the practice's page: %d", res.StatusCode)
	}
	if !e.auditHas(t, "staff_view_readings", "") {
		t.Error("the practice's view not audited")
	}

	// Reviewed, she needs nothing until her next reading.
	upTo := strconv.FormatInt(time.Now().UnixMilli(), 10)
	if res, _ := sam.post(t, "/admin/monitoring/patients/"+pid+"/review", url.Values{"practice": {"Z00001"}, "up_to": {upTo}}); res.StatusCode != 303 {
		t.Fatalf("review: %d", res.StatusCode)
	}
	var reviewed api.MonitoringBoard // omitted fields must not keep the last board's values
	sam.call(t, "GET", boardPath("Z00001"), nil, &reviewed)
	for _, p := range reviewed.Patients {
		if p.Patient == pid && (p.Attention != "" || len(p.Readings) != 0) {
			t.Errorf("after review: %+v", p)
		}
	}
	if !e.auditHas(t, "review_readings", "") {
		t.Error("review not audited")
	}
}

func TestReadingPagesWithoutWebAssembly(t *testing.T) {
	e := mustStartServer(t)
	amara := e.signIn(t, "9990000018")
	amara.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, page := amara.get(t, "/monitoring/blood_pressure")
	if res.StatusCode != 200 || !strings.Contains(page, `name="systolic"`) || !strings.Contains(page, `name="diastolic"`) {
		t.Fatalf("form: %d", res.StatusCode)
	}
	key := regexp.MustCompile(`name="idempotency_key" value="([^"]+)"`).FindStringSubmatch(page)
	if key == nil {
		t.Fatal("no idempotency key on the form")
	}
	// A typo is refused beside its field, with what was typed kept.
	res, page = amara.post(t, "/monitoring/blood_pressure", url.Values{"systolic": {"1.28"}, "diastolic": {"84"}, "when": {"now"}, "idempotency_key": {key[1]}})
	if res.StatusCode != 422 || !strings.Contains(page, "Enter a top number (systolic) from 50 to 300") || !strings.Contains(page, `href="#systolic-0"`) ||
		!strings.Contains(regexp.MustCompile(`<input[^>]*name="systolic"[^>]*>`).FindString(page), `value="1.28"`) {
		t.Errorf("typo: %d", res.StatusCode)
	}
	res, _ = amara.post(t, "/monitoring/blood_pressure", url.Values{"systolic": {"128"}, "diastolic": {"84"}, "when": {"earlier"}, "time": {"25:00"}, "idempotency_key": {key[1]}})
	if res.StatusCode != 400 {
		t.Errorf("a time that is none: %d", res.StatusCode)
	}
	// A red reading: urgent advice at once, and the practice's inbox heads
	// with it.
	res, _ = amara.post(t, "/monitoring/blood_pressure", url.Values{"systolic": {"190"}, "diastolic": {"100"}, "when": {"now"}, "idempotency_key": {key[1]}})
	if res.StatusCode != 303 || !strings.HasPrefix(res.Header.Get("Location"), "/monitoring?sent=") {
		t.Fatalf("send: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	_, page = amara.get(t, res.Header.Get("Location"))
	if !strings.Contains(page, `id="urgent-advice"`) || !strings.Contains(page, "Call 111 now") || !strings.Contains(page, "190/100 mmHg") {
		t.Error("no urgent advice after a red reading")
	}
	_, page = amara.get(t, "/monitoring")
	if !strings.Contains(page, `class="companion-chart__svg"`) || !strings.Contains(page, "Blood pressure: Top number (systolic) as a table") {
		t.Error("no charts with tables on the monitoring page")
	}
	sam := e.signInStaff(t, "staff-site-z00001")
	_, inbox := sam.get(t, "/admin/inbox?practice=Z00001")
	if !strings.Contains(inbox, `id="inbox-readings"`) || !strings.Contains(inbox, "Red reading to review") || !strings.Contains(inbox, "Amara Okafor") {
		t.Error("the practice's inbox does not flag the red reading")
	}
	// In Welsh too.
	_, cy := amara.get(t, "/monitoring?lang=cy")
	if !strings.Contains(cy, "Darlleniadau i'ch meddygfa") && !strings.Contains(cy, "Darlleniadau i&#39;ch meddygfa") {
		t.Error("monitoring page not in Welsh")
	}
}

func TestProxiesSendReadingsOnlyWithThePermission(t *testing.T) {
	e := mustStartServer(t)
	priya := e.signIn(t, "9990000034")
	george := linkedID(t, priya, "George")
	m := readingsOf(t, priya, george)
	if m.Plan == nil || len(m.Plan.Signs) != 4 {
		t.Fatalf("George's plan: %+v", m.Plan)
	}
	var r api.Reading
	if st, code := priya.call(t, "POST", readingsPath(george), api.NewReading{Sign: "oxygen_saturation", Values: []float64{90}}, &r); st != 201 || r.Attention != "red" || !r.ByProxy {
		t.Errorf("Priya sending George's saturation: %d %s %+v", st, code, r)
	}
	// A value between two thresholds is read to the sign's decimals, as
	// the form reads it: 91.4 % is 91 %, red.
	if st, _ := priya.call(t, "POST", readingsPath(george), api.NewReading{Sign: "oxygen_saturation", Values: []float64{91.4}}, &r); st != 201 || r.Attention != "red" || r.Values[0] != 91 {
		t.Errorf("a saturation of 91.4: %d %+v", st, r)
	}
	// Taken before his plan began (four days ago), nobody would see it.
	if st, code := priya.call(t, "POST", readingsPath(george), api.NewReading{Sign: "pulse", Values: []float64{70}, Taken: time.Now().AddDate(0, 0, -5).UnixMilli()}, nil); st != 400 || code != "bad_time" {
		t.Errorf("a reading from before the plan: %d %s", st, code)
	}
	if st, code := priya.call(t, "POST", readingsPath(george), api.NewReading{Sign: "oxygen_saturation", Values: []float64{9}}, nil); st != 422 || code != "implausible_reading" {
		t.Errorf("a saturation of 9%%: %d %s", st, code)
	}
	if st, code := priya.call(t, "POST", readingsPath(george), api.NewReading{Sign: "temperature", Values: []float64{3.7}}, nil); st != 422 || code != "implausible_reading" {
		t.Errorf("a temperature of 3.7: %d %s", st, code)
	}
	amara := e.signIn(t, "9990000018")
	layla := linkedID(t, amara, "Layla")
	if st, code := amara.call(t, "GET", monitoringPath(layla), nil, nil); st != 403 || code != "forbidden" {
		t.Errorf("Amara reading Layla's monitoring without the permission: %d %s", st, code)
	}
	if st, code := amara.call(t, "POST", readingsPath(layla), api.NewReading{Sign: "pulse", Values: []float64{90}}, nil); st != 403 || code != "forbidden" {
		t.Errorf("Amara sending for Layla without the permission: %d %s", st, code)
	}
	if st, code := amara.call(t, "GET", monitoringPath(george), nil, nil); st != 404 || code != "not_found" {
		t.Errorf("Amara reading George's monitoring: %d %s", st, code)
	}
}

func TestStaffPutAPatientOnAPlan(t *testing.T) {
	e := mustStartServer(t)
	sam := e.signInStaff(t, "staff-site-z00001")
	sam.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	// The number is checked against the GP record: one at another
	// practice, or no one's, is refused.
	for nhsNumber, want := range map[string]int{"9990000050": 422, "9990000019": 400} {
		if res, _ := sam.post(t, "/admin/monitoring/plan", url.Values{"practice": {"Z00001"}, "step": {"check"}, "nhs_number": {nhsNumber}}); res.StatusCode != want {
			t.Errorf("check %s: %d, want %d", nhsNumber, res.StatusCode, want)
		}
	}
	res, page := sam.post(t, "/admin/monitoring/plan", url.Values{"practice": {"Z00001"}, "step": {"check"}, "nhs_number": {"999 000 0069"}})
	if res.StatusCode != 200 || !strings.Contains(page, "For Tom Baker, born") || !strings.Contains(regexp.MustCompile(`<input[^>]*name="pulse-0-red_high"[^>]*>`).FindString(page), `value="131"`) {
		t.Fatalf("check Tom: %d", res.StatusCode)
	}
	plan := url.Values{"practice": {"Z00001"}, "step": {"save"}, "nhs_number": {"9990000069"}, "sign": {"pulse"}, "every-pulse": {"12"},
		"pulse-0-red_low": {"40"}, "pulse-0-amber_low": {"50"}, "pulse-0-amber_high": {"100"}, "pulse-0-red_high": {"90"}, "days": {"14"}}
	if res, page := sam.post(t, "/admin/monitoring/plan", plan); res.StatusCode != 400 || !strings.Contains(page, `href="#pulse-0-red_high-0"`) {
		t.Errorf("amber beyond red: %d", res.StatusCode)
	}
	plan.Set("pulse-0-red_high", "131")
	plan.Set("days", "400")
	if res, _ := sam.post(t, "/admin/monitoring/plan", plan); res.StatusCode != 400 {
		t.Errorf("400 days: %d", res.StatusCode)
	}
	plan.Set("days", "14")
	res, _ = sam.post(t, "/admin/monitoring/plan", plan)
	if res.StatusCode != 303 || !strings.Contains(res.Header.Get("Location"), "saved=plan") {
		t.Fatalf("save: %d", res.StatusCode)
	}
	_, page = sam.get(t, res.Header.Get("Location"))
	if !strings.Contains(page, "Tom Baker") || !strings.Contains(page, "The monitoring plan is saved.") {
		t.Error("Tom's page after saving")
	}
	if !e.auditHas(t, "set_monitoring_plan", "") {
		t.Error("plan change not audited")
	}
	// Tom proved his identity to P5 only: readings are clinical, so he is
	// told how to prove it rather than sent a form.
	tom := e.signIn(t, "9990000069")
	if st, code := tom.call(t, "GET", monitoringPath(tom.pid(t)), nil, nil); st != 403 || code != "proofing_level" {
		t.Errorf("Tom at P5: %d %s", st, code)
	}
}
