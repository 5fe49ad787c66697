package fhirtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	export "github.com/nhs-companion/companion/server/fhir"
	"github.com/nhs-companion/companion/server/gp"
	gpfhir "github.com/nhs-companion/companion/server/gp/fhir"
)

// Seed copies a GP system into the server, read through the port: every
// practice and pharmacy, the patients named, and each practice's
// clinicians and free slots starting in [from, to), in one transaction.
// The FHIR shapes are the ones the adapter (server/gp/fhir) reads, so a
// seeded server holds the same people and diaries as src.
func (s *Server) Seed(ctx context.Context, src gp.System, patients []string, from, to time.Time) error {
	b := &seeder{}
	codes, err := src.PracticeCodes(ctx)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	orgs := map[string]string{} // ODS → fullUrl
	for _, ods := range codes {
		p, err := src.Practice(ctx, ods)
		if err != nil {
			return fmt.Errorf("seed practice: %w", err)
		}
		org := organisation(p.ODS, p.Name, gpfhir.RolePractice, p.Address, p.Postcode, p.Country, p.Phone)
		if p.ICB != "" {
			org["partOf"] = map[string]any{"identifier": map[string]any{"system": gpfhir.ODSSystem, "value": p.ICB}}
		}
		orgs[ods] = b.add(org)
		if err := b.diary(ctx, src, p, orgs[ods], from, to); err != nil {
			return err
		}
	}
	pharmacies, err := src.Pharmacies(ctx, "")
	if err != nil {
		return fmt.Errorf("seed pharmacies: %w", err)
	}
	b.pharmacies = map[string]string{}
	for _, ph := range pharmacies {
		b.pharmacies[ph.ODS] = b.add(organisation(ph.ODS, ph.Name, gpfhir.RolePharmacy, ph.Address, ph.Postcode, "", ph.Phone))
	}
	people := map[string]string{} // NHS number → fullUrl
	for _, n := range patients {
		if people[n], err = b.record(ctx, src, n, orgs); err != nil {
			return err
		}
	}
	for _, n := range patients {
		rels, err := src.Relationships(ctx, n)
		if err != nil {
			return fmt.Errorf("seed relationships: %w", err)
		}
		for _, r := range rels {
			if people[r.PatientNHS] != "" {
				b.relationship(r, people[r.PatientNHS])
			}
		}
	}
	locations, err := s.post(ctx, b.entries)
	if err != nil {
		return err
	}
	return s.histories(ctx, b.later, locations)
}

// relationship adds a proxy's RelatedPerson and the Consent that permits
// them, as the Validated Relationships Service models it.
func (b *seeder) relationship(r gp.Relationship, patient string) {
	code := func(system, c string) map[string]any {
		return map[string]any{"coding": []any{map[string]any{"system": system, "code": c}}}
	}
	rp := b.add(map[string]any{
		"resourceType": "RelatedPerson", "active": true, "patient": map[string]any{"reference": patient},
		"identifier":   []any{map[string]any{"system": gpfhir.NHSNumberSystem, "value": r.ActorNHS}},
		"relationship": []any{map[string]any{"coding": []any{map[string]any{"system": gpfhir.KindSystem, "code": r.Kind}}, "text": r.Kind}},
	})
	var actions []any
	for _, p := range r.Permissions {
		actions = append(actions, code(gpfhir.PermissionSystem, string(p)))
	}
	period := map[string]any{"start": r.Start.String()}
	if !r.End.IsZero() {
		period["end"] = r.End.String()
	}
	status := "active"
	if r.Revoked {
		status = "inactive"
	}
	var exts []any
	if !r.PatientBirthDate.IsZero() {
		exts = append(exts, map[string]any{"url": gpfhir.ExtPatientBirthDate, "valueDate": r.PatientBirthDate.String()})
	}
	if r.Regranted {
		exts = append(exts, map[string]any{"url": gpfhir.ExtRegranted, "valueBoolean": true})
	}
	c := map[string]any{
		"resourceType": "Consent", "status": status,
		"scope":      code("http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy"),
		"category":   []any{code("http://loinc.org", "59284-0")},
		"patient":    map[string]any{"reference": patient},
		"policyRule": code("http://terminology.hl7.org/CodeSystem/v3-ActCode", "OPTIN"),
		"provision": map[string]any{"type": "permit", "period": period, "action": actions,
			"actor": []any{map[string]any{"role": code("http://terminology.hl7.org/CodeSystem/v3-RoleClass", "AGNT"), "reference": map[string]any{"reference": rp}}}},
	}
	if len(exts) > 0 {
		c["extension"] = exts
	}
	b.add(c)
}

// record adds a patient and their whole record (sensitive items labelled)
// and remote-monitoring readings, as the record export writes them: the
// export's Patient, and its other resources pointed at the practice
// already added. It returns the Patient's fullUrl.
func (b *seeder) record(ctx context.Context, src gp.System, n string, orgs map[string]string) (string, error) {
	rec, err := src.Record(ctx, n)
	if err != nil {
		return "", fmt.Errorf("seed record: %w", err)
	}
	readings, err := src.Readings(ctx, n, time.Time{})
	if err != nil {
		return "", fmt.Errorf("seed readings: %w", err)
	}
	raw, err := export.Bundle(rec, export.Options{Now: time.Now(), Readings: readings})
	if err != nil {
		return "", fmt.Errorf("seed record: %w", err)
	}
	var bundle struct {
		Entry []struct {
			FullURL  string          `json:"fullUrl"`
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(raw, &bundle); err != nil {
		return "", err
	}
	repeats, err := src.Repeats(ctx, n)
	if err != nil {
		return "", fmt.Errorf("seed repeats: %w", err)
	}
	nominated, hasNominated, err := src.NominatedPharmacy(ctx, n)
	if err != nil {
		return "", fmt.Errorf("seed nomination: %w", err)
	}
	var patient string
	var swap []string                // the export's practice fullUrl, and the seed's
	templates := map[string]string{} // repeat ID → its MedicationRequest's fullUrl
	first := len(b.entries)
	for _, e := range bundle.Entry {
		var res map[string]any
		if err := json.Unmarshal(e.Resource, &res); err != nil {
			return "", err
		}
		typ, _ := res["resourceType"].(string)
		switch typ {
		case "Organization":
			swap = append(swap, `"`+e.FullURL+`"`, `"`+orgs[rec.Demographics.PracticeODS]+`"`)
			continue
		case "Patient":
			patient = e.FullURL
			if hasNominated {
				res["extension"] = []any{map[string]any{"url": gpfhir.ExtNominatedPharmacy, "valueReference": map[string]any{
					"reference": b.pharmacies[nominated.ODS], "identifier": map[string]any{"system": gpfhir.ODSSystem, "value": nominated.ODS}}}}
			}
		case "MedicationRequest":
			if id := asTemplate(res, rec, repeats); id != "" {
				templates[id] = e.FullURL
			}
		}
		b.entries = append(b.entries, map[string]any{"fullUrl": e.FullURL, "resource": res,
			"request": map[string]any{"method": "POST", "url": typ}})
	}
	if err := b.requests(ctx, src, n, patient, orgs[rec.Demographics.PracticeODS], templates); err != nil {
		return "", err
	}
	if len(swap) > 0 {
		r := strings.NewReplacer(swap...)
		for _, e := range b.entries[first:] {
			m := e.(map[string]any)
			if res, ok := m["resource"].(map[string]any); ok {
				raw, _ := json.Marshal(res)
				var swapped map[string]any
				json.Unmarshal([]byte(r.Replace(string(raw))), &swapped)
				m["resource"] = swapped
			}
		}
	}
	if patient == "" {
		return "", errors.New("seed record: the export has no Patient")
	}
	return patient, nil
}

// diary adds a practice's clinicians, rooms, schedules and free slots.
func (b *seeder) diary(ctx context.Context, src gp.System, p gp.Practice, org string, from, to time.Time) error {
	cs, err := src.Clinicians(ctx, p.ODS)
	if err != nil {
		return fmt.Errorf("seed clinicians: %w", err)
	}
	roles := map[string]string{}
	for _, c := range cs {
		pr := b.add(map[string]any{"resourceType": "Practitioner", "name": []any{map[string]any{"use": "official", "text": c.Name}}})
		roles[c.ID] = b.add(map[string]any{
			"resourceType": "PractitionerRole", "active": true,
			"practitioner": map[string]any{"reference": pr}, "organization": map[string]any{"reference": org},
			"code": []any{map[string]any{"text": c.Role}},
		})
	}
	slots, err := src.Slots(ctx, gp.SlotQuery{Practice: p.ODS, From: from, To: to})
	if err != nil {
		return fmt.Errorf("seed slots: %w", err)
	}
	rooms, schedules := map[string]string{}, map[[2]string]string{}
	for _, sl := range slots {
		k := [2]string{sl.Clinician.ID, sl.Location}
		if _, ok := schedules[k]; !ok {
			actors := []any{map[string]any{"reference": roles[sl.Clinician.ID]}}
			if sl.Location != "" {
				if _, ok := rooms[sl.Location]; !ok {
					rooms[sl.Location] = b.add(map[string]any{"resourceType": "Location", "name": sl.Location,
						"managingOrganization": map[string]any{"reference": org}})
				}
				actors = append(actors, map[string]any{"reference": rooms[sl.Location]})
			}
			schedules[k] = b.add(map[string]any{"resourceType": "Schedule", "active": true, "actor": actors})
		}
		b.add(map[string]any{
			"resourceType": "Slot", "status": "free", "schedule": map[string]any{"reference": schedules[k]},
			"start": sl.Start.UTC().Format(time.RFC3339), "end": sl.End.UTC().Format(time.RFC3339),
			"serviceType":     []any{map[string]any{"coding": []any{map[string]any{"system": gpfhir.SlotTypeSystem, "code": string(sl.Type)}}}},
			"appointmentType": map[string]any{"coding": []any{map[string]any{"system": gpfhir.ModeSystem, "code": string(sl.Mode)}}},
		})
	}
	return nil
}

func organisation(ods, name, role string, lines []string, postcode, country, phone string) map[string]any {
	addr := map[string]any{"postalCode": postcode}
	if len(lines) > 0 {
		addr["line"], addr["city"] = lines[:len(lines)-1], lines[len(lines)-1]
	}
	if country != "" {
		addr["country"] = country
	}
	org := map[string]any{
		"resourceType": "Organization", "active": true, "name": name,
		"identifier": []any{map[string]any{"system": gpfhir.ODSSystem, "value": ods}},
		"type":       []any{map[string]any{"coding": []any{map[string]any{"system": gpfhir.ODSRoleSystem, "code": role}}}},
		"address":    []any{addr},
	}
	if phone != "" {
		org["telecom"] = []any{map[string]any{"system": "phone", "value": phone}}
	}
	return org
}

// seeder collects the entries of the seed's transaction.
type seeder struct {
	entries    []any
	pharmacies map[string]string // ODS → fullUrl
	later      []later           // history steps written after the transaction
}

// later is a request's history after its first step, for the Task the
// transaction's entry at index creates.
type later struct {
	index int
	steps []gp.StatusChange
}

// add adds a create and returns its fullUrl, for references to it.
func (b *seeder) add(res map[string]any) string {
	if t, _ := res["resourceType"].(string); t == "" {
		panic("seed: a resource without a type")
	}
	full := "urn:uuid:" + uuid.NewString()
	b.entries = append(b.entries, map[string]any{"fullUrl": full, "resource": res,
		"request": map[string]any{"method": "POST", "url": res["resourceType"]}})
	return full
}

// post sends the entries as one transaction, returning where each was
// created.
func (s *Server) post(ctx context.Context, entries []any) ([]string, error) {
	body, err := json.Marshal(map[string]any{"resourceType": "Bundle", "type": "transaction", "entry": entries})
	if err != nil {
		return nil, err
	}
	var out struct {
		Entry []struct {
			Response struct {
				Location string `json:"location"`
			} `json:"response"`
		} `json:"entry"`
	}
	if err := s.send(ctx, http.MethodPost, s.BaseURL, body, &out); err != nil {
		return nil, err
	}
	locations := make([]string, len(out.Entry))
	for i, e := range out.Entry {
		locations[i], _, _ = strings.Cut(e.Response.Location, "/_history")
	}
	return locations, nil
}

// send sends one request and decodes its answer into out.
func (s *Server) send(ctx context.Context, method, u string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/fhir+json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if res.StatusCode/100 != 2 {
		if len(b) > 4<<10 {
			b = b[:4<<10]
		}
		return fmt.Errorf("seed: %s %s: %s: %s", method, u, res.Status, b)
	}
	return json.Unmarshal(b, out)
}
