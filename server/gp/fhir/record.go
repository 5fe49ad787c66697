package fhir

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/nhs-companion/companion/server/fhir"
	"github.com/nhs-companion/companion/server/gp"
)

// recordTypes are the resource types a GP record is read from, each
// searched by patient.
var recordTypes = []string{
	"AllergyIntolerance", "MedicationRequest", "MedicationStatement", "Condition", "Immunization",
	"DiagnosticReport", "Observation", "Encounter", "DocumentReference",
}

// Record returns the patient's whole record, read with the record
// export's mapping in reverse (server/fhir.Read). Items the GP system
// labels restricted (meta.security) come back Sensitive, and are withheld
// above the port.
func (s *System) Record(ctx context.Context, patientNHS string) (gp.Record, error) {
	pat, pid, err := s.patientResource(ctx, patientNHS)
	if err != nil {
		return gp.Record{}, fmt.Errorf("record: %w", err)
	}
	resources := []json.RawMessage{pat.raw}
	for _, typ := range recordTypes {
		err := s.c.search(ctx, typ, url.Values{"patient": {ref("Patient", pid)}, "_count": {"200"}}, func(raw json.RawMessage) error {
			if !about(raw, pid) {
				return nil // a server that ignores the parameter answers with everyone's
			}
			resources = append(resources, raw)
			return nil
		}, nil)
		if err != nil {
			return gp.Record{}, fmt.Errorf("record: %w", err)
		}
	}
	rec, err := fhir.Read(resources)
	if err != nil {
		return gp.Record{}, fmt.Errorf("record: %w: %w", gp.ErrUnavailable, err)
	}
	return rec, nil
}

// about reports whether a resource's subject or patient is the patient.
func about(raw json.RawMessage, pid string) bool {
	var r struct {
		Subject *reference `json:"subject"`
		Patient *reference `json:"patient"`
	}
	if json.Unmarshal(raw, &r) != nil {
		return false
	}
	for _, x := range []*reference{r.Subject, r.Patient} {
		if x != nil && idOf(*x, "Patient") == pid {
			return true
		}
	}
	return false
}
