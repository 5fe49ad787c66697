package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/nhs-companion/companion/server/flags"
)

func (e *testEnv) staff(t *testing.T, id string) *browser {
	t.Helper()
	b := e.newBrowser(t)
	res, _ := b.get(t, "/staff/login?login_hint="+id+"&return=/admin")
	if res.Request.URL.Path != "/admin" {
		t.Fatalf("staff sign-in as %s ended at %s", id, res.Request.URL)
	}
	return b
}

func (b *browser) put(t *testing.T, path, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, b.env.url+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := res.Body.Read(buf)
		out.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return res.StatusCode, out.String()
}

func TestFlagChangeAuthorisation(t *testing.T) {
	e := mustStartServer(t)
	site1 := e.staff(t, "staff-site-z00001")
	national := e.staff(t, "staff-national")
	amara := e.signIn(t, "9990000018")
	tests := []struct {
		name   string
		who    *browser
		flag   string
		body   string
		status int
		code   string
	}{
		{"site admin, own practice", site1, "record", `{"practice":"Z00001","enabled":false,"reason":"pausing"}`, 200, ""},
		{"site admin, another practice", site1, "record", `{"practice":"Z00002","enabled":true,"reason":"sneaky"}`, 403, "forbidden"},
		{"site admin, kill switch", site1, "record", `{"kill":true,"reason":"x"}`, 403, "forbidden"},
		{"site admin, rollout", site1, "record", `{"percentage":50,"reason":"x"}`, 403, "forbidden"},
		{"no reason", national, "record", `{"practice":"Z00002","enabled":true,"reason":"  "}`, 400, "reason_required"},
		{"unknown flag", national, "teleport", `{"practice":"Z00002","enabled":true,"reason":"x"}`, 404, "not_found"},
		{"two changes at once", national, "record", `{"practice":"Z00002","enabled":true,"kill":true,"reason":"x"}`, 400, "bad_request"},
		{"bad percentage", national, "record", `{"percentage":101,"reason":"x"}`, 400, "bad_request"},
		{"unknown practice", national, "record", `{"practice":"NOPE1","enabled":true,"reason":"x"}`, 400, "bad_request"},
		{"unknown field", national, "record", `{"practice":"Z00002","enabled":true,"reason":"x","evil":1}`, 400, "bad_request"},
		{"a patient", amara, "record", `{"practice":"Z00001","enabled":true,"reason":"x"}`, 401, "unauthenticated"},
		{"nobody", e.newBrowser(t), "record", `{"practice":"Z00001","enabled":true,"reason":"x"}`, 401, "unauthenticated"},
		{"national, another practice", national, "record", `{"practice":"Z00002","enabled":true,"reason":"pilot extended"}`, 200, ""},
	}
	for _, tt := range tests {
		status, body := tt.who.put(t, "/api/v1/admin/flags/"+tt.flag, tt.body)
		if status != tt.status || (tt.code != "" && !strings.Contains(body, `"code":"`+tt.code+`"`)) {
			t.Errorf("%s: %d %s, want %d %s", tt.name, status, body, tt.status, tt.code)
		}
	}
	// What was allowed took effect; what was refused changed nothing.
	_, me := amara.me(t)
	if me.Features["record"] {
		t.Error("site admin's switch-off at Z00001 not enforced")
	}
	rhys := e.signIn(t, "9990000050")
	if _, me := rhys.me(t); !me.Features["record"] || me.Features["online_consultation"] {
		t.Errorf("Rhys's features after the national change: %v", me.Features)
	}
	var views []map[string]any
	_, body := site1.get(t, "/api/v1/admin/flags")
	if err := json.Unmarshal([]byte(body), &views); err != nil || len(views) != len(flags.All) {
		t.Fatalf("flags list: %s", body)
	}
	if ps := views[0]["practices"].(map[string]any); len(ps) != 1 || ps["Z00001"] == nil {
		t.Errorf("a site admin sees other practices: %v", ps)
	}
	if !e.auditHas(t, "flag_change", "record") {
		t.Error("flag change not audited")
	}
}

func TestKillSwitchOverridesEverything(t *testing.T) {
	e := mustStartServer(t)
	national := e.staff(t, "staff-national")
	if status, body := national.put(t, "/api/v1/admin/flags/appointments", `{"kill":true,"reason":"GP system incident"}`); status != 200 {
		t.Fatal(body)
	}
	amara := e.signIn(t, "9990000018")
	if _, me := amara.me(t); me.Features["appointments"] || !me.Features["prescriptions"] {
		t.Errorf("kill switch: %v", me.Features)
	}
}

func TestAdminPageFormsAndHistory(t *testing.T) {
	e := mustStartServer(t)
	site2 := e.staff(t, "staff-site-z00002")
	_, page := site2.get(t, "/admin")
	if !strings.Contains(page, "Z00002: off") || strings.Contains(page, "Z00001") || strings.Contains(page, "National kill switch") {
		t.Fatalf("site admin's flags page shows the wrong scope")
	}
	// A change without a reason comes back with an error and changes nothing.
	res, body := site2.post(t, "/admin/flags/record", url.Values{"scope": {"practice"}, "practice": {"Z00002"}, "value": {"on"}, "reason": {""}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Enter a reason for the change") {
		t.Errorf("no reason: %d", res.StatusCode)
	}
	rhys := e.signIn(t, "9990000050")
	if _, me := rhys.me(t); me.Features["record"] {
		t.Error("a change without a reason took effect")
	}
	res, body = site2.post(t, "/admin/flags/record", url.Values{"scope": {"practice"}, "practice": {"Z00002"}, "value": {"on"}, "reason": {"Practice joined the record pilot"}})
	if res.StatusCode != 200 || !strings.Contains(body, "Z00002: on") || !strings.Contains(body, "Practice joined the record pilot") {
		t.Errorf("change with a reason: %d", res.StatusCode)
	}
	if _, me := rhys.me(t); !me.Features["record"] {
		t.Error("the change is not enforced")
	}
	res, _ = site2.post(t, "/admin/flags/record", url.Values{"scope": {"practice"}, "practice": {"Z00001"}, "value": {"off"}, "reason": {"not mine"}})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("form for another practice: %d", res.StatusCode)
	}
}

// TestFeatureOffAnswersFeatureDisabled: a feature off at the patient's
// practice answers 404 feature_disabled, while one that is on answers.
func TestFeatureOffAnswersFeatureDisabled(t *testing.T) {
	e := mustStartServer(t)
	rhys := e.signIn(t, "9990000050")
	pid := rhys.pid(t)
	if status, body := rhys.call(t, "GET", "/api/v1/patients/"+pid+"/appointments", nil, nil); status != http.StatusOK {
		t.Errorf("appointments at the non-pilot practice: %d %s", status, body)
	}
	if status, code := rhys.call(t, "GET", "/api/v1/patients/"+pid+"/record", nil, nil); status != http.StatusNotFound || code != "feature_disabled" {
		t.Errorf("record at the non-pilot practice: %d %s", status, code)
	}
	// Evaluations are counted by flag and outcome.
	ms := httptest.NewServer(e.srv.Metrics.Handler())
	defer ms.Close()
	res, _ := http.Get(ms.URL + "/metrics")
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(b), `companion_flag_evaluations_total{flag="record",outcome="off"}`) {
		t.Error("flag evaluations not in the metrics")
	}
}
