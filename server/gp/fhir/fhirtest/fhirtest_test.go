package fhirtest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// do sends a FHIR request and decodes the answer.
func do(t *testing.T, method, url string, body any, header ...string) (int, http.Header, map[string]any) {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/fhir+json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, res.Header, out
}

func slot(status string) map[string]any {
	return map[string]any{"resourceType": "Slot", "status": status, "start": "2026-12-01T09:00:00Z",
		"end": "2026-12-01T09:10:00Z", "schedule": map[string]any{"reference": "Schedule/s1"}}
}

func count(t *testing.T, s *Server, typ string) int {
	t.Helper()
	_, _, b := do(t, "GET", s.BaseURL+"/"+typ, nil)
	n, _ := b["total"].(float64)
	return int(n)
}

// TestFixture proves each thing server.mjs adds to the engine.
func TestFixture(t *testing.T) {
	s := MustStart(t)

	t.Run("ETagAndStaleIfMatch", func(t *testing.T) {
		st, h, created := do(t, "POST", s.BaseURL+"/Slot", slot("free"))
		if st != 201 || h.Get("Location") == "" {
			t.Fatalf("create: %d, Location %q", st, h.Get("Location"))
		}
		meta := created["meta"].(map[string]any)
		if want := `W/"` + meta["versionId"].(string) + `"`; h.Get("ETag") != want {
			t.Errorf("ETag %q, want %q", h.Get("ETag"), want)
		}
		created["status"] = "busy"
		id := created["id"].(string)
		if st, _, _ := do(t, "PUT", s.BaseURL+"/Slot/"+id, created, "If-Match", `W/"stale"`); st != 412 {
			t.Errorf("stale If-Match: %d, want 412", st)
		}
		if st, _, _ := do(t, "PUT", s.BaseURL+"/Slot/"+id, created, "If-Match", h.Get("ETag")); st != 200 {
			t.Errorf("current If-Match: %d, want 200", st)
		}
	})

	t.Run("FailedTransactionLeavesNothing", func(t *testing.T) {
		_, h, sl := do(t, "POST", s.BaseURL+"/Slot", slot("free"))
		before := count(t, s, "Appointment")
		sl["status"] = "busy"
		tx := map[string]any{"resourceType": "Bundle", "type": "transaction", "entry": []any{
			map[string]any{"fullUrl": "urn:uuid:4b5c1f0e-0000-4000-8000-000000000001",
				"resource": map[string]any{"resourceType": "Appointment", "status": "booked",
					"start": "2026-12-01T09:00:00Z", "end": "2026-12-01T09:10:00Z",
					"participant": []any{map[string]any{"actor": map[string]any{"reference": "Patient/p1"}, "status": "accepted"}}},
				"request": map[string]any{"method": "POST", "url": "Appointment"}},
			map[string]any{"resource": sl, "request": map[string]any{"method": "PUT", "url": "Slot/" + sl["id"].(string), "ifMatch": `W/"stale"`}},
		}}
		if st, _, _ := do(t, "POST", s.BaseURL, tx); st != 412 {
			t.Errorf("transaction with a stale If-Match: %d, want 412", st)
		}
		if got := count(t, s, "Appointment"); got != before {
			t.Errorf("after a failed transaction: %d appointments, want %d (the create was not rolled back)", got, before)
		}
		tx["entry"].([]any)[1].(map[string]any)["request"].(map[string]any)["ifMatch"] = h.Get("ETag")
		if st, _, _ := do(t, "POST", s.BaseURL, tx); st != 200 {
			t.Errorf("transaction: %d, want 200", st)
		}
		if got := count(t, s, "Appointment"); got != before+1 {
			t.Errorf("after the transaction: %d appointments, want %d", got, before+1)
		}
	})

	t.Run("InvalidResourceRefused", func(t *testing.T) {
		before := count(t, s, "Slot")
		st, _, out := do(t, "POST", s.BaseURL+"/Slot", map[string]any{"resourceType": "Slot", "status": "bogus"})
		if st != 400 || out["resourceType"] != "OperationOutcome" {
			t.Errorf("invalid Slot: %d %v, want 400 and an OperationOutcome", st, out["resourceType"])
		}
		if got := count(t, s, "Slot"); got != before {
			t.Errorf("invalid Slot stored: %d slots, want %d", got, before)
		}
	})

	t.Run("PagingByNextLinks", func(t *testing.T) {
		for range 5 {
			do(t, "POST", s.BaseURL+"/Slot", slot("busy-tentative"))
		}
		seen := map[string]bool{}
		next := s.BaseURL + "/Slot?status=busy-tentative&_count=2"
		for pages := 0; next != ""; pages++ {
			if pages > 5 {
				t.Fatal("paging does not end")
			}
			_, _, b := do(t, "GET", next, nil)
			next = ""
			for _, e := range b["entry"].([]any) {
				seen[e.(map[string]any)["resource"].(map[string]any)["id"].(string)] = true
			}
			for _, l := range b["link"].([]any) {
				if l := l.(map[string]any); l["relation"] == "next" {
					next = l["url"].(string)
				}
			}
		}
		if len(seen) != 5 {
			t.Errorf("paging found %d slots, want 5", len(seen))
		}
	})

	t.Run("LinksAsTheCallerReachedIt", func(t *testing.T) {
		// Behind a TLS front, links and Locations say https.
		https := "https" + strings.TrimPrefix(s.BaseURL, "http")
		_, h, _ := do(t, "POST", s.BaseURL+"/Slot", slot("busy-tentative"), "X-Forwarded-Proto", "https")
		_, _, b := do(t, "GET", s.BaseURL+"/Slot?status=busy-tentative&_count=1", nil, "X-Forwarded-Proto", "https")
		var next string
		for _, l := range b["link"].([]any) {
			if l := l.(map[string]any); l["relation"] == "next" {
				next = l["url"].(string)
			}
		}
		if !strings.HasPrefix(h.Get("Location"), https+"/Slot/") || !strings.HasPrefix(next, https+"/Slot?") {
			t.Errorf("Location %q, next %q; want both under %s", h.Get("Location"), next, https)
		}
	})

	t.Run("SaveAndRestore", func(t *testing.T) {
		ctx := context.Background()
		if err := s.Save(ctx); err != nil {
			t.Fatal(err)
		}
		before := count(t, s, "Slot")
		do(t, "POST", s.BaseURL+"/Slot", slot("free"))
		if err := s.Restore(ctx); err != nil {
			t.Fatal(err)
		}
		if got := count(t, s, "Slot"); got != before {
			t.Errorf("after Restore: %d slots, want %d", got, before)
		}
	})

	t.Run("NotJSON", func(t *testing.T) {
		res, err := http.Post(s.BaseURL+"/Slot", "application/fhir+json", strings.NewReader("{"))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 400 {
			t.Errorf("malformed body: %d, want 400", res.StatusCode)
		}
	})
}
