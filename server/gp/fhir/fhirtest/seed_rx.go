package fhirtest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/nhs-companion/companion/server/gp"
	gpfhir "github.com/nhs-companion/companion/server/gp/fhir"
)

// asTemplate marks a record MedicationRequest as the repeat template of
// the same medicine, adding its supply duration and review date, and
// returns the repeat's ID ("" when it is none).
func asTemplate(res map[string]any, rec gp.Record, repeats []gp.Repeat) string {
	med, _ := res["medicationCodeableConcept"].(map[string]any)
	codings, _ := med["coding"].([]any)
	if len(codings) == 0 || res["status"] != "active" {
		return ""
	}
	code, _ := codings[0].(map[string]any)["code"].(string)
	for _, r := range repeats {
		if r.Drug.Code != code {
			continue
		}
		dr, _ := res["dispenseRequest"].(map[string]any)
		if dr == nil {
			dr = map[string]any{}
		}
		dr["expectedSupplyDuration"] = map[string]any{"value": r.SupplyDays, "unit": "days", "system": "http://unitsofmeasure.org", "code": "d"}
		res["dispenseRequest"] = dr
		// The template's last issue is the latest: the record's medicine
		// may predate an issue since (the sandbox keeps the two apart; a
		// GP system has one MedicationRequest).
		notes := []any{}
		if old, ok := res["note"].([]any); ok {
			for _, n := range old {
				if txt, _ := n.(map[string]any)["text"].(string); !strings.HasPrefix(txt, "Last issued: ") {
					notes = append(notes, n)
				}
			}
		}
		if !r.LastIssued.IsZero() {
			notes = append(notes, map[string]any{"text": "Last issued: " + r.LastIssued.String()})
		}
		if len(notes) > 0 {
			res["note"] = notes
		} else {
			delete(res, "note")
		}
		if !r.ReviewDate.IsZero() {
			res["extension"] = []any{map[string]any{"url": gpfhir.ExtReviewDate, "valueDate": r.ReviewDate.String()}}
		}
		return r.ID
	}
	return ""
}

// requests adds the patient's prescription requests as Tasks at their
// first step; the later steps are written after the transaction.
func (b *seeder) requests(ctx context.Context, src gp.System, n, patient, practice string, templates map[string]string) error {
	reqs, err := src.PrescriptionRequests(ctx, n)
	if err != nil {
		return fmt.Errorf("seed requests: %w", err)
	}
	for _, r := range reqs {
		focus := templates[r.RepeatID]
		if focus == "" || len(r.History) == 0 {
			continue
		}
		t := map[string]any{
			"resourceType": "Task", "intent": "order", "authoredOn": r.History[0].At.UTC().Format(time.RFC3339Nano),
			"code":            map[string]any{"coding": []any{map[string]any{"system": gpfhir.TaskTypeSystem, "code": gpfhir.TaskRepeat}}},
			"groupIdentifier": map[string]any{"system": gpfhir.OrderSystem, "value": r.OrderID},
			"focus":           map[string]any{"reference": focus},
			"for":             map[string]any{"reference": patient},
			"owner":           map[string]any{"reference": practice},
			"input": []any{
				input("medicine", r.Name), input("dose", r.Dose), input("quantity", r.Quantity),
				map[string]any{"type": map[string]any{"text": "pharmacy"}, "valueReference": map[string]any{
					"reference": b.pharmacies[r.Pharmacy.ODS], "identifier": map[string]any{"system": gpfhir.ODSSystem, "value": r.Pharmacy.ODS}}},
			},
		}
		if r.Note != "" {
			t["note"] = []any{map[string]any{"text": r.Note}}
		}
		step(t, r.History[0], r.RequestedBy)
		b.add(t)
		if len(r.History) > 1 {
			b.later = append(b.later, later{index: len(b.entries) - 1, steps: r.History[1:]})
		}
	}
	return nil
}

func input(typ, v string) map[string]any {
	return map[string]any{"type": map[string]any{"text": typ}, "valueString": v}
}

// step sets a Task to one step of a request's history.
func step(t map[string]any, c gp.StatusChange, requestedBy string) {
	t["status"] = gpfhir.TaskStatus[c.Status]
	t["businessStatus"] = map[string]any{"coding": []any{map[string]any{"system": gpfhir.RxStatusSystem, "code": string(c.Status)}}}
	exts := []any{map[string]any{"url": gpfhir.ExtStatusAt, "valueDateTime": c.At.UTC().Format(time.RFC3339Nano)}}
	if requestedBy != "" {
		exts = append(exts, map[string]any{"url": gpfhir.ExtRequestedBy, "valueString": requestedBy})
	}
	t["extension"] = exts
	delete(t, "statusReason")
	if c.Reason != "" {
		t["statusReason"] = map[string]any{"text": c.Reason}
	}
}

// histories writes each request's later steps, one update each, so the
// Task's versions are its history.
func (s *Server) histories(ctx context.Context, steps []later, locations []string) error {
	for _, l := range steps {
		loc := locations[l.index]
		u := s.BaseURL + "/" + loc[strings.Index(loc, "Task/"):]
		for _, c := range l.steps {
			var t map[string]any
			if err := s.send(ctx, "GET", u, nil, &t); err != nil {
				return err
			}
			requestedBy := ""
			for _, e := range t["extension"].([]any) {
				if m := e.(map[string]any); m["url"] == gpfhir.ExtRequestedBy {
					requestedBy, _ = m["valueString"].(string)
				}
			}
			step(t, c, requestedBy)
			body, _ := json.Marshal(t)
			var out map[string]any
			if err := s.send(ctx, "PUT", u, body, &out); err != nil {
				return err
			}
		}
	}
	return nil
}
