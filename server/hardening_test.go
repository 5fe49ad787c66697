package server_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestJSONBodiesAreStrict: a JSON API takes a JSON body only, exactly one
// value of it, and changes nothing otherwise.
func TestJSONBodiesAreStrict(t *testing.T) {
	e := mustStartServer(t)
	amara := e.signIn(t, "9990000018")
	pid := amara.pid(t)
	slot := slotsOf(t, amara, pid, "gp")[0].ID
	for _, tt := range []struct {
		name, contentType, body string
		status                  int
		code                    string
	}{
		{"not JSON", "text/plain", `{"slot_id":"` + slot + `"}`, http.StatusUnsupportedMediaType, "unsupported_media_type"},
		{"a form", "application/x-www-form-urlencoded", "slot_id=" + slot, http.StatusUnsupportedMediaType, "unsupported_media_type"},
		{"no type", "", `{"slot_id":"` + slot + `"}`, http.StatusUnsupportedMediaType, "unsupported_media_type"},
		{"two values", "application/json", `{"slot_id":"` + slot + `"}{"slot_id":"` + slot + `"}`, http.StatusBadRequest, "bad_request"},
		{"trailing bytes", "application/json", `{"slot_id":"` + slot + `"} and more`, http.StatusBadRequest, "bad_request"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", e.url+"/api/v1/patients/"+pid+"/appointments", strings.NewReader(tt.body))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			req.Header.Set("Origin", e.url)
			res, err := amara.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var body strings.Builder
			buf := make([]byte, 4096)
			n, _ := res.Body.Read(buf)
			body.Write(buf[:n])
			if res.StatusCode != tt.status || !strings.Contains(body.String(), `"code":"`+tt.code+`"`) {
				t.Errorf("%d %s, want %d %s", res.StatusCode, body.String(), tt.status, tt.code)
			}
		})
	}
	var list struct{ Upcoming []any }
	amara.call(t, "GET", "/api/v1/patients/"+pid+"/appointments", nil, &list)
	if len(list.Upcoming) != 0 {
		t.Errorf("a refused body booked %d appointments", len(list.Upcoming))
	}
}

// TestSettingsNumbersAreBounded: the API bounds caps and limits as the
// form does.
func TestSettingsNumbersAreBounded(t *testing.T) {
	e := mustStartServer(t)
	site := e.staff(t, "staff-site-z00001")
	for _, body := range []string{
		`{"hours":"Mon-Fri 08:00-18:30","caps":{"medical":9223372036854775807},"patient_daily":2,"reason":"r"}`,
		`{"hours":"Mon-Fri 08:00-18:30","caps":{"medical":40},"patient_daily":100001,"reason":"r"}`,
	} {
		if status, out := site.put(t, "/api/v1/admin/practices/Z00001/contact", body); status != http.StatusBadRequest || !strings.Contains(out, "bad_number") {
			t.Errorf("%s: %d %s", body, status, out)
		}
	}
}
