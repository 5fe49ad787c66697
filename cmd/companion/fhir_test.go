package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/internal/redistest"
	"github.com/nhs-companion/companion/server/gp/fhir/fhirtest"
)

// TestFHIRGPSystemServesAPatient: GP_SYSTEM=fhir starts against a real
// FHIR server (seeded with the sandbox cast) and a patient's journey runs
// through it: sign in, see free slots, book, see the appointment, cancel.
func TestFHIRGPSystemServesAPatient(t *testing.T) {
	bin := buildBinary(t)
	fs, _ := fhirtest.MustStartSeeded(t)
	rs := redistest.MustStart(t)
	base := startProcess(t, bin, rs.URL(), "GP_SYSTEM=fhir", "FHIR_BASE_URL="+fs.BaseURL)

	amara := client(t)
	mustGet(t, amara, base+"/auth/login?login_hint=9990000018")
	var me api.Me
	if err := json.Unmarshal([]byte(mustGet(t, amara, base+"/api/v1/me")), &me); err != nil || me.PatientID == "" {
		t.Fatalf("/api/v1/me: %+v, %v", me, err)
	}
	pid := "/api/v1/patients/" + me.PatientID
	var slots []api.Slot
	if err := json.Unmarshal([]byte(mustGet(t, amara, base+pid+"/slots?type=gp")), &slots); err != nil || len(slots) == 0 {
		t.Fatalf("slots through FHIR: %d, %v", len(slots), err)
	}
	sl := slots[len(slots)-1] // the latest, well outside every cut-off
	body, _ := json.Marshal(api.BookRequest{SlotID: sl.ID, Reason: "Through FHIR"})
	req, _ := http.NewRequest(http.MethodPost, base+pid+"/appointments", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", "fhir-journey-1")
	res, err := amara.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var booked api.Appointment
	json.NewDecoder(res.Body).Decode(&booked)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated && res.StatusCode != http.StatusOK {
		t.Fatalf("book through FHIR: %s", res.Status)
	}
	if booked.ID == "" {
		t.Fatalf("book through FHIR: %+v", booked)
	}
	req, _ = http.NewRequest(http.MethodDelete, base+pid+"/appointments/"+booked.ID, nil)
	res, err = amara.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("cancel through FHIR: %s", res.Status)
	}
	// Readiness asks the FHIR server.
	res, err = http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("/readyz with the FHIR server up: %s", res.Status)
	}
	fs.Stop()
	res, err = http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz with the FHIR server down: %s, want 503", res.Status)
	}
}
