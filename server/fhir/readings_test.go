package fhir

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/nhs-companion/companion/server/gp"
)

// readings are home readings of every sign, with every attention; the
// "readings" case of cases() exports them, so they are golden and
// validated.
func readings() []gp.Reading {
	at := func(hours int) time.Time { return now.Add(-time.Duration(hours)*time.Hour + 250*time.Millisecond) }
	r := func(id string, sign gp.VitalSign, hours int, a gp.Attention, dir string, values ...float64) gp.Reading {
		return gp.Reading{ID: id, PatientNHS: nhsNumber, PracticeODS: "B83001", Sign: sign, Values: values,
			Taken: at(hours), Submitted: at(hours).Add(2 * time.Minute), Attention: a, Direction: dir}
	}
	out := []gp.Reading{
		r("mr-1", gp.BloodPressure, 1, "", "", 128, 84),
		r("mr-2", gp.Pulse, 2, gp.AttentionAmber, "high", 96),
		r("mr-3", gp.OxygenSaturation, 3, gp.AttentionRed, "low", 91),
		r("mr-4", gp.Temperature, 4, gp.AttentionAmber, "high", 38.4),
		r("mr-5", gp.RespiratoryRate, 5, "", "", 18),
		r("mr-6", gp.Weight, 6, "", "", 82.35),
		r("mr-7", gp.PeakFlow, 7, gp.AttentionAmber, "low", 300),
		r("mr-8", gp.BloodGlucose, 8, gp.AttentionRed, "high", 25.1),
	}
	out[0].Note, out[0].SubmittedBy = "After my walk.", "patient-1"
	out[3].SubmittedBy = "proxy-7"
	return out
}

// readingProfile is the profile a home reading claims ("" for any other
// resource).
func readingProfile(res map[string]any) string {
	meta, _ := res["meta"].(map[string]any)
	tags, _ := meta["tag"].([]any)
	if len(tags) == 0 || tags[0].(map[string]any)["code"] != HomeReading {
		return ""
	}
	for _, c := range res["code"].(map[string]any)["coding"].([]any) {
		c := c.(map[string]any)
		if s, ok := gp.SignOf(c["system"].(string), c["code"].(string)); ok {
			if m, _ := s.Measure(); m.Profile != "" {
				return m.Profile
			}
			return ukCore + "Observation"
		}
	}
	return ""
}

// TestReadingsMapping pins each sign's codes, units, category, profile
// and interpretation, written out here rather than read from the table.
func TestReadingsMapping(t *testing.T) {
	raw := mustBundle(t, gp.Record{Demographics: demographics()}, Options{Now: now, Readings: readings()})
	patient := decode(t, raw).Entry[0].FullURL
	const vs = "http://hl7.org/fhir/StructureDefinition/"
	for _, tc := range []struct {
		id                      string
		codes                   []string // LOINC: the observation's, then its components'
		unit, category, profile string
		interpretation, values  string
	}{
		{"mr-1", []string{"85354-9", "8480-6", "8462-4"}, "mm[Hg]", "vital-signs", vs + "bp", "N", "128 84"},
		{"mr-2", []string{"8867-4"}, "/min", "vital-signs", vs + "heartrate", "H", "96"},
		{"mr-3", []string{"59408-5", "2708-6"}, "%", "vital-signs", vs + "oxygensat", "LL", "91"},
		{"mr-4", []string{"8310-5"}, "Cel", "vital-signs", vs + "bodytemp", "H", "38.4"},
		{"mr-5", []string{"9279-1"}, "/min", "vital-signs", vs + "resprate", "N", "18"},
		{"mr-6", []string{"29463-7"}, "kg", "vital-signs", vs + "bodyweight", "N", "82.35"},
		{"mr-7", []string{"19935-6"}, "L/min", "exam", ukCore + "Observation", "L", "300"},
		{"mr-8", []string{"15074-8"}, "mmol/L", "laboratory", ukCore + "Observation", "HH", "25.1"},
	} {
		t.Run(tc.id, func(t *testing.T) {
			o := resource(t, raw, "Observation/reading", tc.id)
			var got readingObservation
			b, _ := json.Marshal(o)
			if err := json.Unmarshal(b, &got); err != nil || got.Meta == nil || got.Code == nil {
				t.Fatalf("not a reading: %v", err)
			}
			var codes, units, values []string
			for _, c := range got.Code.Coding {
				if c.System != "http://loinc.org" {
					t.Errorf("code in %s, want LOINC", c.System)
				}
				codes = append(codes, c.Code)
			}
			quantities := []*quantity{got.ValueQuantity}
			if len(got.Component) > 0 {
				quantities = nil
				if got.ValueQuantity != nil {
					t.Error("a panel with a value of its own")
				}
			}
			for _, c := range got.Component {
				codes = append(codes, code(c.Code, "http://loinc.org"))
				quantities = append(quantities, c.ValueQuantity)
			}
			for _, q := range quantities {
				if q == nil || q.System != "http://unitsofmeasure.org" || q.Unit == "" {
					t.Fatalf("quantity %+v: want a UCUM code and a unit", q)
				}
				units, values = append(units, q.Code), append(values, string(q.Value))
			}
			cat := ""
			if len(got.Category) == 1 {
				cat = code(&got.Category[0], observationCategory)
			}
			interp := ""
			if len(got.Interpretation) == 1 {
				interp = code(&got.Interpretation[0], interpretation)
			}
			for _, c := range []struct{ what, got, want string }{
				{"codes", strings.Join(codes, " "), strings.Join(tc.codes, " ")},
				{"units", strings.Join(slices.Compact(units), " "), tc.unit},
				{"values", strings.Join(values, " "), tc.values},
				{"category", cat, tc.category},
				{"profile", strings.Join(got.Meta.Profile, " "), tc.profile},
				{"tag", func() string { b, _ := json.Marshal(got.Meta.Tag); return string(b) }(),
					`[{"system":"https://companion.nhs.uk/fhir/CodeSystem/observation-source","code":"home-reading","display":"Home reading"}]`},
				{"interpretation", interp, tc.interpretation},
				{"status", got.Status, "final"},
				{"subject", got.Subject.Reference, patient},
			} {
				if c.got != c.want {
					t.Errorf("%s: %q, want %q", c.what, c.got, c.want)
				}
			}
		})
	}
	bp := resource(t, raw, "Observation/reading", "mr-1")
	for _, c := range []struct{ what, got, want string }{
		{"taken", bp["effectiveDateTime"].(string), "2025-03-14T08:30:15.250Z"},
		{"sent", bp["issued"].(string), "2025-03-14T08:32:15.250Z"},
		{"note", bp["note"].([]any)[0].(map[string]any)["text"].(string), "After my walk."},
		{"sent by", bp["extension"].([]any)[0].(map[string]any)["valueString"].(string), "patient-1"},
	} {
		if c.got != c.want {
			t.Errorf("blood pressure's %s: %q, want %q", c.what, c.got, c.want)
		}
	}
}

// TestReadingsRoundTrip: what Bundle and ReadingObservation write,
// ReadReading reads back as it was, but for the patient and practice
// (the caller's) and the ID (the resource's).
func TestReadingsRoundTrip(t *testing.T) {
	want := readings()
	raw := mustBundle(t, gp.Record{Demographics: demographics()}, Options{Now: now, Readings: want})
	var got []gp.Reading
	for _, e := range decode(t, raw).Entry {
		b, _ := json.Marshal(e.Resource)
		r, ok, err := ReadReading(b)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			if "urn:uuid:"+r.ID != e.FullURL {
				t.Errorf("ID %q, want the resource's", r.ID)
			}
			got = append(got, r)
		}
	}
	ignore := cmpopts.IgnoreFields(gp.Reading{}, "ID", "PatientNHS", "PracticeODS")
	if diff := cmp.Diff(want, got, ignore); diff != "" {
		t.Errorf("readings through the Bundle (-exported +read):\n%s", diff)
	}
	for _, r := range want {
		b, err := ReadingObservation(r, "Patient/123")
		if err != nil {
			t.Fatal(err)
		}
		back, ok, err := ReadReading(b)
		if err != nil || !ok {
			t.Fatalf("ReadReading(ReadingObservation(%s)): %v, %v", r.Sign, ok, err)
		}
		if diff := cmp.Diff(r, back, ignore); diff != "" || back.ID != "" || strings.Contains(string(b), `"id"`) {
			t.Errorf("%s through ReadingObservation (-written +read, id %q):\n%s", r.Sign, back.ID, diff)
		}
	}
}

// TestReadReadingTellsReadingsApart: a test result, an untagged vital
// sign and a reading of no sign are no readings; a reading in the wrong
// unit or without its values is an error, never a wrong number.
func TestReadReadingTellsReadingsApart(t *testing.T) {
	good, err := ReadingObservation(readings()[3], "Patient/123")
	if err != nil {
		t.Fatal(err)
	}
	bp, _ := ReadingObservation(readings()[0], "Patient/123")
	edit := func(raw json.RawMessage, change func(map[string]any)) json.RawMessage {
		var m map[string]any
		json.Unmarshal(raw, &m)
		change(m)
		b, _ := json.Marshal(m)
		return b
	}
	lab := resource(t, mustBundle(t, richRecord(), Options{Now: now}), "Observation", "res-1/0")
	labRaw, _ := json.Marshal(lab)
	for _, tc := range []struct {
		name    string
		raw     json.RawMessage
		ok, err bool
	}{
		{"a reading", good, true, false},
		{"a test result", labRaw, false, false},
		{"untagged", edit(good, func(m map[string]any) { delete(m["meta"].(map[string]any), "tag") }), false, false},
		{"of no sign", edit(good, func(m map[string]any) {
			m["code"] = map[string]any{"coding": []any{map[string]any{"system": gp.LOINC, "code": "8302-2"}}}
		}), false, false},
		{"in Fahrenheit", edit(good, func(m map[string]any) { m["valueQuantity"].(map[string]any)["code"] = "[degF]" }), false, true},
		{"without a value", edit(good, func(m map[string]any) { delete(m, "valueQuantity") }), false, true},
		{"without a diastolic", edit(bp, func(m map[string]any) { m["component"] = m["component"].([]any)[:1] }), false, true},
		{"no time taken", edit(good, func(m map[string]any) { m["effectiveDateTime"] = "2025-03" }), false, true},
	} {
		_, ok, err := ReadReading(tc.raw)
		if ok != tc.ok || (err != nil) != tc.err {
			t.Errorf("%s: ok %v, err %v; want ok %v, an error %v", tc.name, ok, err, tc.ok, tc.err)
		}
	}
	bad := readings()[0]
	bad.Values = bad.Values[:1]
	if _, err := ReadingObservation(bad, "Patient/123"); err == nil {
		t.Error("ReadingObservation wrote a blood pressure with one value")
	}
	if _, err := Bundle(gp.Record{Demographics: demographics()}, Options{Now: now, Readings: []gp.Reading{bad}}); err == nil {
		t.Error("Bundle exported a blood pressure with one value")
	}
}
