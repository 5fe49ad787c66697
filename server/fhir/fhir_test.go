package fhir

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nhs-companion/companion/server/gp"
)

var update = flag.Bool("update", false, "rewrite testdata/*.json from the current output")

const nhsNumber = "9990000018"

var now = time.Date(2025, time.March, 14, 9, 30, 15, 0, time.UTC)

func sct(code, display string) gp.Coding {
	return gp.Coding{System: gp.SNOMED, Code: code, Display: display}
}

func day(y int, m time.Month, d int) gp.Date { return gp.Date{Year: y, Month: m, Day: d} }

func demographics() gp.Demographics {
	return gp.Demographics{NHSNumber: nhsNumber, GivenName: "Amara", FamilyName: "Okafor", BirthDate: day(1986, time.June, 2),
		Gender: "female", Address: []string{"12 Mill Lane", "Shipley"}, Postcode: "BD18 3AA", Phone: "07700 900123",
		PracticeODS: "B83001"}
}

func practice() gp.Practice {
	return gp.Practice{ODS: "B83001", Name: "Riverside Medical Centre", Address: []string{"1 River Street", "Shipley"},
		Postcode: "BD18 1AA", Phone: "01274 000000"}
}

var (
	penicillin = sct("764146007", "Penicillin")
	peanut     = sct("762952008", "Peanut")
	urticaria  = sct("126485001", "Urticaria")
	angioedema = sct("41291007", "Angioedema")
	salbutamol = sct("39113611000001102", "Salbutamol 100micrograms/dose inhaler CFC free")
	cetirizine = sct("320818006", "Cetirizine 10mg tablets")
	trimeth    = sct("324431001", "Trimethoprim 200mg tablets")
	citalopram = sct("321987003", "Citalopram 20mg tablets")
	sixInOne1  = sct("1082441000000108", "First diphtheria, tetanus and acellular pertussis, inactivated polio, Haemophilus influenzae type b and hepatitis B vaccination")
	flu        = sct("985151000000100", "Administration of first inactivated seasonal influenza vaccination")
)

// summaryRecord is what a proxy with summary access is handed: allergies,
// medicines and immunisations only.
func summaryRecord() gp.Record {
	return gp.Record{
		Demographics: demographics(),
		Allergies: []gp.Allergy{
			{ID: "alg-1", Substance: penicillin, Reactions: []gp.Coding{urticaria, angioedema}, Severity: "severe",
				Onset: day(2004, time.May, 1), Recorded: day(2004, time.May, 3), Status: "active"},
			{ID: "alg-2", Substance: peanut, Recorded: day(1990, time.January, 9), Status: "resolved"},
		},
		Medicines: []gp.Medicine{
			{ID: "med-1", Drug: salbutamol, Name: salbutamol.Display, Dose: "Two puffs when required", Quantity: "1 inhaler (200 doses)",
				Kind: "repeat", Status: "current", Started: day(2019, time.February, 1), LastIssued: day(2025, time.February, 21)},
			{ID: "med-2", Drug: cetirizine, Name: cetirizine.Display, Dose: "One tablet once a day", Quantity: "30 tablets",
				Kind: "repeat", Status: "past", Started: day(2018, time.April, 1), Ended: day(2023, time.September, 30), LastIssued: day(2023, time.August, 1)},
			{ID: "med-3", Drug: trimeth, Name: "Trimethoprim 200mg tablets", Dose: "One tablet twice a day for 3 days", Quantity: "6",
				Kind: "acute", Status: "past", Started: day(2023, time.March, 1), Ended: day(2023, time.March, 4), LastIssued: day(2023, time.March, 1)},
		},
		Immunisations: []gp.Immunisation{
			{ID: "imm-1", Vaccine: flu, Dose: "1st dose", Date: day(2024, time.October, 10), Batch: "FLU-2024-77"},
			{ID: "imm-2", Vaccine: sixInOne1, Date: day(1986, time.August, 4)},
		},
	}
}

// richRecord has every section, and the awkward cases: comparators, words
// for values and ranges, units that are not UCUM, an empty panel comment.
func richRecord() gp.Record {
	rec := summaryRecord()
	rec.Medicines = append(rec.Medicines, gp.Medicine{ID: "med-4", Drug: citalopram, Name: citalopram.Display, Dose: "One tablet once a day",
		Quantity: "28 tablets", Kind: "acute", Status: "current", Started: day(2025, time.February, 1), LastIssued: day(2025, time.February, 1)})
	rec.Problems = []gp.Problem{
		{ID: "prb-1", Code: sct("195967001", "Asthma"), Status: "active", Significance: "significant", Onset: day(1992, time.March, 1)},
		{ID: "prb-2", Code: sct("87522002", "Iron deficiency anaemia"), Status: "past", Significance: "minor",
			Onset: day(2024, time.November, 2), Ended: day(2025, time.February, 10)},
	}
	rec.TestResults = []gp.TestResult{
		{ID: "res-1", Panel: sct("26604007", "Full blood count"), Date: day(2024, time.November, 1), Comment: "Low haemoglobin: see GP.",
			Values: []gp.ResultValue{
				{Test: sct("1022431000000105", "Haemoglobin estimation"), Value: "112", Unit: "g/L", Low: "115", High: "165", Flag: "low"},
				{Test: sct("1022291000000105", "Haematocrit"), Value: "0.35", Unit: "L/L", Low: "0.36", High: "0.46", Flag: "low"},
				{Test: sct("1022541000000102", "Total white cell count"), Value: "6.1", Unit: "10*9/L", Low: "4.0", High: "11.0"},
			}},
		{ID: "res-2", Panel: sct("117010004", "Urine culture"), Date: day(2023, time.March, 2),
			Values: []gp.ResultValue{
				{Test: sct("42331000237103", "Count of white blood cells in urine"), Value: "<10", Unit: "/uL", High: "10"},
				{Test: sct("117010004", "Urine culture"), Text: "Mixed growth", RangeText: "No growth", Flag: "abnormal",
					Comment: "Suggest repeat sample if symptoms persist."},
				{Test: sct("1000651000000109", "Serum potassium level"), Value: "5.9", Unit: "mmol per litre", Low: "3.5", High: "5.3", Flag: "high"},
				{Test: sct("1023491000000104", "Urine albumin:creatinine ratio"), Value: "haemolysed", Low: "see report"},
			}},
	}
	rec.Consultations = []gp.Consultation{
		{ID: "con-1", Date: day(2024, time.November, 8), Clinician: "Dr Helen Marsh", Role: "GP", Location: "Telephone",
			Entries: []gp.Entry{
				{Heading: "History", Text: "Tired for three months; heavy periods."},
				{Heading: "Problem", Text: "Iron deficiency anaemia", Code: &gp.Coding{System: gp.SNOMED, Code: "87522002", Display: "Iron deficiency anaemia"}},
				{Heading: "Plan", Text: "Ferrous fumarate for three months. Repeat blood count in 8 weeks."},
			}},
		{ID: "con-2", Date: day(2024, time.June, 3), Clinician: "Grace Adeyemi", Role: "Practice nurse", Location: "Riverside Medical Centre",
			Entries: []gp.Entry{{Heading: "Examination", Text: "Peak flow 420 L/min (best 450)."}}},
		{ID: "con-3", Date: day(2023, time.January, 20), Clinician: "Dr Tomasz Nowak", Location: "Home visit",
			Entries: []gp.Entry{{Heading: "History", Text: "Unwell with a fever; no red flags."}}},
	}
	rec.Documents = []gp.Document{
		{ID: "doc-1", Title: "Respiratory clinic letter", Type: sct("823681000000100", "Outpatient letter"), Date: day(2023, time.October, 2),
			Author: "Dr Ruth Okonjo, Consultant Respiratory Physician", ContentType: "text/plain",
			Body: []byte("Dear Dr Marsh,\nThank you for referring Ms Okafor.\n")},
		{ID: "doc-2", Title: "Discharge summary", Type: sct("373942005", "Discharge summary"), Date: day(2023, time.August, 30),
			ContentType: "application/pdf", Body: []byte("%PDF-1.4\n% a tiny stand-in\n%%EOF\n")},
	}
	return rec
}

// sparseRecord is what a GP system might send at its least helpful: no
// item IDs, no statuses, no codes, blank address lines, an empty document.
func sparseRecord() gp.Record {
	d := gp.Demographics{NHSNumber: nhsNumber, FamilyName: "Okafor", Address: []string{"", " 12 Mill Lane ", "  "}, PracticeODS: "B83001"}
	return gp.Record{
		Demographics:  d,
		Allergies:     []gp.Allergy{{Reactions: []gp.Coding{{}}}, {Substance: gp.Coding{Display: "Sticking plaster"}}},
		Medicines:     []gp.Medicine{{}, {Name: "Emollient cream", Quantity: "500 g"}},
		Problems:      []gp.Problem{{}, {Status: "past", Ended: day(2020, time.January, 1)}},
		Immunisations: []gp.Immunisation{{}},
		TestResults:   []gp.TestResult{{}, {Values: []gp.ResultValue{{}, {Value: "7", Flag: "borderline"}, {Value: "n/a", Text: "Sample clotted"}}}},
		Consultations: []gp.Consultation{{}, {Role: "GP", Entries: []gp.Entry{{Text: "Seen."}, {Heading: "Problem", Code: &gp.Coding{}}}}},
		Documents:     []gp.Document{{}, {ContentType: "text/plain"}},
	}
}

// cases are every bundle the tests produce; each is golden and validated.
func cases() []struct {
	name string
	rec  gp.Record
	opt  Options
} {
	return []struct {
		name string
		rec  gp.Record
		opt  Options
	}{
		{"rich", richRecord(), Options{Now: now, Practice: practice()}},
		{"summary", summaryRecord(), Options{Now: now}},
		{"empty", gp.Record{Demographics: demographics()}, Options{Now: now, Practice: practice()}},
		{"sparse", sparseRecord(), Options{Now: now}},
		{"readings", gp.Record{Demographics: demographics()}, Options{Now: now, Practice: practice(), Readings: readings()}},
	}
}

func mustBundle(tb testing.TB, rec gp.Record, opt Options) []byte {
	tb.Helper()
	b, err := Bundle(rec, opt)
	if err != nil {
		tb.Fatalf("Bundle: %v", err)
	}
	return b
}

func TestBundleGolden(t *testing.T) {
	for _, tc := range cases() {
		t.Run(tc.name, func(t *testing.T) {
			got := mustBundle(t, tc.rec, tc.opt)
			path := filepath.Join("testdata", tc.name+".json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./server/fhir -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("%s mismatch (-want +got); run with -update if the change is intended:\n%s", path, diff)
			}
		})
	}
}

func TestBundleDeterministic(t *testing.T) {
	a := mustBundle(t, richRecord(), Options{Now: now, Practice: practice()})
	b := mustBundle(t, richRecord(), Options{Now: now.In(time.FixedZone("BST", 3600)), Practice: practice()})
	if !bytes.Equal(a, b) {
		t.Error("the same record and instant gave different bundles")
	}
	// Another patient's items with the same item IDs get other ids; only
	// their shared practice is the same resource.
	other := richRecord()
	other.Demographics.NHSNumber = "9990000026"
	ids := func(raw []byte) map[string]bool {
		out := map[string]bool{}
		for _, e := range decode(t, raw).Entry {
			if e.Resource["resourceType"] != "Organization" {
				out[e.FullURL] = true
			}
		}
		return out
	}
	mine := ids(a)
	for u := range ids(mustBundle(t, other, Options{Now: now})) {
		if mine[u] {
			t.Errorf("%s is in two patients' bundles", u)
		}
	}
}

func TestBundleErrors(t *testing.T) {
	dup := summaryRecord()
	dup.Allergies[1].ID = dup.Allergies[0].ID
	for _, tc := range []struct {
		name string
		rec  gp.Record
		opt  Options
		want string
	}{
		{"no clock", summaryRecord(), Options{}, "Options.Now"},
		{"duplicate ID", dup, Options{Now: now}, "share ID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Bundle(tc.rec, tc.opt)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one mentioning %q", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), nhsNumber) {
				t.Errorf("error %q carries the NHS number", err)
			}
		})
	}
}

// decoded is a Bundle read back generically, for structural checks.
type decoded struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
	Type         string `json:"type"`
	Timestamp    string `json:"timestamp"`
	Entry        []struct {
		FullURL  string         `json:"fullUrl"`
		Resource map[string]any `json:"resource"`
	} `json:"entry"`
}

func decode(tb testing.TB, raw []byte) decoded {
	tb.Helper()
	var d decoded
	if err := json.Unmarshal(raw, &d); err != nil {
		tb.Fatalf("bundle is not JSON: %v", err)
	}
	return d
}

var uuidURN = regexp.MustCompile(`^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// walk calls fn on every object inside v, with its path.
func walk(v any, path string, fn func(path string, obj map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		fn(path, x)
		for k, c := range x {
			walk(c, path+"."+k, fn)
		}
	case []any:
		for i, c := range x {
			walk(c, fmt.Sprintf("%s[%d]", path, i), fn)
		}
	}
}

func TestBundleStructure(t *testing.T) {
	for _, tc := range cases() {
		t.Run(tc.name, func(t *testing.T) {
			raw := mustBundle(t, tc.rec, tc.opt)
			d := decode(t, raw)
			if d.ResourceType != "Bundle" || d.Type != "collection" || d.Timestamp != "2025-03-14T09:30:15Z" || d.ID == "" {
				t.Errorf("bundle header = %q %q %q %q", d.ResourceType, d.Type, d.Timestamp, d.ID)
			}
			urls := map[string]string{} // fullUrl → resourceType
			for _, e := range d.Entry {
				rt, _ := e.Resource["resourceType"].(string)
				if !uuidURN.MatchString(e.FullURL) {
					t.Errorf("%s fullUrl %q is not a version 5 urn:uuid", rt, e.FullURL)
				}
				if _, dup := urls[e.FullURL]; dup {
					t.Errorf("fullUrl %s appears twice", e.FullURL)
				}
				urls[e.FullURL] = rt
				if id, _ := e.Resource["id"].(string); "urn:uuid:"+id != e.FullURL {
					t.Errorf("%s id %q does not match fullUrl %s", rt, id, e.FullURL)
				}
				meta, _ := e.Resource["meta"].(map[string]any)
				profiles, _ := meta["profile"].([]any)
				want := ukCore + rt
				if p := readingProfile(e.Resource); p != "" {
					want = p // a home reading claims its vital sign's profile
				}
				if len(profiles) != 1 || profiles[0] != want {
					t.Errorf("%s meta.profile = %v, want [%s]", rt, profiles, want)
				}
			}
			if got := urls[d.Entry[0].FullURL]; got != "Patient" {
				t.Errorf("first entry is a %s, want the Patient", got)
			}
			// Every reference resolves inside the bundle, to a resource of
			// the type it claims.
			for i, e := range d.Entry {
				walk(e.Resource, fmt.Sprintf("entry[%d]", i), func(path string, obj map[string]any) {
					ref, ok := obj["reference"].(string)
					if !ok {
						return
					}
					rt, found := urls[ref]
					if !found {
						t.Errorf("%s: reference %s is not in the bundle", path, ref)
					} else if typ, _ := obj["type"].(string); typ != "" && typ != rt {
						t.Errorf("%s: reference typed %s resolves to a %s", path, typ, rt)
					}
				})
			}
			// SNOMED codes keep their system.
			walk(d.Entry, "", func(path string, obj map[string]any) {
				if code, ok := obj["code"].(string); ok && regexp.MustCompile(`^[0-9]{6,18}$`).MatchString(code) {
					if obj["system"] != gp.SNOMED {
						t.Errorf("%s: code %s has system %v, want SNOMED CT", path, code, obj["system"])
					}
				}
			})
			// The NHS number appears once: the Patient's identifier.
			if n := bytes.Count(raw, []byte(nhsNumber)); n != 1 {
				t.Errorf("NHS number appears %d times, want once (the Patient identifier)", n)
			}
			pat := d.Entry[0].Resource
			ids, _ := pat["identifier"].([]any)
			if len(ids) != 1 || ids[0].(map[string]any)["system"] != NHSNumberSystem || ids[0].(map[string]any)["value"] != nhsNumber {
				t.Errorf("Patient.identifier = %v", pat["identifier"])
			}
		})
	}
}

func TestBundleCounts(t *testing.T) {
	count := func(raw []byte) map[string]int {
		out := map[string]int{}
		for _, e := range decode(t, raw).Entry {
			out[e.Resource["resourceType"].(string)]++
		}
		return out
	}
	for _, tc := range []struct {
		name string
		got  map[string]int
		want map[string]int
	}{
		{"rich", count(mustBundle(t, richRecord(), Options{Now: now})), map[string]int{
			"Patient": 1, "Organization": 1, "AllergyIntolerance": 2, "MedicationRequest": 4, "MedicationStatement": 4,
			"Condition": 2, "Immunization": 2, "Observation": 7, "DiagnosticReport": 2, "Encounter": 3, "DocumentReference": 5,
		}},
		{"summary", count(mustBundle(t, summaryRecord(), Options{Now: now})), map[string]int{
			"Patient": 1, "Organization": 1, "AllergyIntolerance": 2, "MedicationRequest": 3, "MedicationStatement": 3, "Immunization": 2,
		}},
		{"no practice", count(mustBundle(t, gp.Record{Demographics: gp.Demographics{NHSNumber: nhsNumber}}, Options{Now: now})),
			map[string]int{"Patient": 1}},
	} {
		if diff := cmp.Diff(tc.want, tc.got); diff != "" {
			t.Errorf("%s: resources (-want +got):\n%s", tc.name, diff)
		}
	}
}

// resource returns the bundle's resource whose id derives from kind and
// the item ID.
func resource(tb testing.TB, raw []byte, kind, itemID string) map[string]any {
	tb.Helper()
	want := "urn:uuid:" + uuid5(nhsNumber+"/"+kind+"/"+itemID)
	for _, e := range decode(tb, raw).Entry {
		if e.FullURL == want {
			return e.Resource
		}
	}
	tb.Fatalf("no %s for %s", kind, itemID)
	return nil
}

// TestBundleMapping pins the mapping decisions a golden diff would not
// explain.
func TestBundleMapping(t *testing.T) {
	raw := mustBundle(t, richRecord(), Options{Now: now, Practice: practice()})
	js := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	for _, tc := range []struct {
		name      string
		got, want string
	}{
		{"numeric value with UCUM unit", js(resource(t, raw, "Observation", "res-1/0")["valueQuantity"]),
			`{"code":"g/L","system":"http://unitsofmeasure.org","unit":"g/L","value":112}`},
		{"decimal kept as written", js(resource(t, raw, "Observation", "res-1/1")["valueQuantity"]),
			`{"code":"L/L","system":"http://unitsofmeasure.org","unit":"L/L","value":0.35}`},
		{"comparator", js(resource(t, raw, "Observation", "res-2/0")["valueQuantity"]),
			`{"code":"/uL","comparator":"\u003c","system":"http://unitsofmeasure.org","unit":"/uL","value":10}`},
		{"words", js(resource(t, raw, "Observation", "res-2/1")["valueString"]), `"Mixed growth"`},
		{"range in words", js(resource(t, raw, "Observation", "res-2/1")["referenceRange"]), `[{"text":"No growth"}]`},
		{"abnormal", js(resource(t, raw, "Observation", "res-2/1")["interpretation"]),
			`[{"coding":[{"code":"A","display":"Abnormal","system":"http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"}]}]`},
		{"unit not UCUM", js(resource(t, raw, "Observation", "res-2/2")["valueQuantity"]), `{"unit":"mmol per litre","value":5.9}`},
		{"value not a number", js(resource(t, raw, "Observation", "res-2/3")["valueString"]), `"haemolysed"`},
		{"bound not a number", js(resource(t, raw, "Observation", "res-2/3")["referenceRange"]), `[{"text":"Lower limit: see report"}]`},
		{"repeat", js(resource(t, raw, "MedicationRequest", "med-1")["courseOfTherapyType"]),
			`{"coding":[{"code":"continuous","display":"Continuous long term therapy","system":"http://terminology.hl7.org/CodeSystem/medicationrequest-course-of-therapy"}]}`},
		{"quantity in words", js(resource(t, raw, "MedicationRequest", "med-1")["note"]),
			`[{"text":"Quantity: 1 inhaler (200 doses)"},{"text":"Last issued: 2025-02-21"}]`},
		{"numeric quantity", js(resource(t, raw, "MedicationRequest", "med-2")["dispenseRequest"]), `{"quantity":{"unit":"tablets","value":30}}`},
		{"bare number quantity", js(resource(t, raw, "MedicationRequest", "med-3")["dispenseRequest"]), `{"quantity":{"value":6}}`},
		{"stopped repeat", js(resource(t, raw, "MedicationRequest", "med-2")["status"]), `"stopped"`},
		{"finished acute", js(resource(t, raw, "MedicationRequest", "med-3")["status"]), `"completed"`},
		{"past statement", js(resource(t, raw, "MedicationStatement", "med-2")["status"]), `"completed"`},
		{"current statement", js(resource(t, raw, "MedicationStatement", "med-4")["status"]), `"active"`},
		{"resolved problem", js(resource(t, raw, "Condition", "prb-2")["clinicalStatus"]),
			`{"coding":[{"code":"resolved","display":"Resolved","system":"http://terminology.hl7.org/CodeSystem/condition-clinical"}]}`},
		{"active problem has no abatement", js(resource(t, raw, "Condition", "prb-1")["abatementDateTime"]), `null`},
		{"telephone consultation", js(resource(t, raw, "Encounter", "con-1")["class"]),
			`{"code":"VR","display":"virtual","system":"http://terminology.hl7.org/CodeSystem/v3-ActCode"}`},
		{"home visit", js(resource(t, raw, "Encounter", "con-3")["class"].(map[string]any)["code"]), `"HH"`},
		{"surgery", js(resource(t, raw, "Encounter", "con-2")["class"].(map[string]any)["code"]), `"AMB"`},
		{"dose", js(resource(t, raw, "Immunization", "imm-1")["protocolApplied"]), `[{"doseNumberString":"1st dose"}]`},
		{"no reaction, no severity", js(resource(t, raw, "AllergyIntolerance", "alg-2")["reaction"]), `null`},
	} {
		if tc.got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, tc.got, tc.want)
		}
	}
	// Document bodies round-trip through base64.
	doc := resource(t, raw, "DocumentReference", "doc-1")
	att := doc["content"].([]any)[0].(map[string]any)["attachment"].(map[string]any)
	var body []byte
	if err := json.Unmarshal([]byte(js(att["data"])), &body); err != nil || string(body) != string(richRecord().Documents[0].Body) {
		t.Errorf("document body = %q, %v", body, err)
	}
	// The consultation note carries every entry, codes included.
	note := resource(t, raw, "DocumentReference/consultation", "con-1")
	att = note["content"].([]any)[0].(map[string]any)["attachment"].(map[string]any)
	if err := json.Unmarshal([]byte(js(att["data"])), &body); err != nil {
		t.Fatal(err)
	}
	want := "History: Tired for three months; heavy periods.\n" +
		"Problem: Iron deficiency anaemia (Iron deficiency anaemia, 87522002)\n" +
		"Plan: Ferrous fumarate for three months. Repeat blood count in 8 weeks.\n"
	if string(body) != want {
		t.Errorf("consultation note:\n%s\nwant:\n%s", body, want)
	}
}

// validator is the independent check: node and the harness in validate/.
func validator(tb testing.TB) (node string) {
	tb.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		tb.Fatal("node not found on PATH: install Node.js 20, then run `make test` (it installs the FHIR validator in server/fhir/validate)")
	}
	if _, err := os.Stat(filepath.Join("validate", "node_modules", "fhir", "package.json")); err != nil {
		tb.Fatal("the FHIR validator is not installed: run `make test` (or `cd server/fhir/validate && npm ci`)")
	}
	return node
}

// validate runs the harness on raw and returns its exit error and output.
func validate(tb testing.TB, node string, raw []byte) (string, error) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "bundle.json")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, filepath.Join("validate", "validate.mjs"), path).CombinedOutput()
	return string(out), err
}

func TestBundleValidates(t *testing.T) {
	node := validator(t)
	for _, tc := range cases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if out, err := validate(t, node, mustBundle(t, tc.rec, tc.opt)); err != nil {
				t.Errorf("the FHIR validator rejects the %s bundle: %v\n%s", tc.name, err, out)
			}
		})
	}
}

// TestValidatorRejects makes sure the harness is not a rubber stamp: each
// broken bundle must fail it.
func TestValidatorRejects(t *testing.T) {
	node := validator(t)
	good := mustBundle(t, summaryRecord(), Options{Now: now})
	for _, tc := range []struct {
		name      string
		old, repl string
		want      string
	}{
		{"unknown element", `"lotNumber"`, `"batchNumber"`, "Unexpected property"},
		{"status outside its value set", `"status": "completed"`, `"status": "done"`, "not found in value set"},
		{"date with a time but no zone", `"birthDate": "1986-06-02"`, `"birthDate": "1986-06-02T10:00"`, "Invalid date"},
		{"instant without seconds", `"timestamp": "2025-03-14T09:30:15Z"`, `"timestamp": "2025-03-14"`, "Invalid instant"},
		{"missing mandatory element", `"intent": "order",`, ``, "Missing property"},
		{"empty string", `"lotNumber": "FLU-2024-77"`, `"lotNumber": ""`, "empty string"},
		{"reference to the wrong type", `"type": "Patient"`, `"type": "Device"`, "Invalid type for reference"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if !bytes.Contains(good, []byte(tc.old)) {
				t.Fatalf("fixture has no %s", tc.old)
			}
			bad := bytes.Replace(good, []byte(tc.old), []byte(tc.repl), 1)
			out, err := validate(t, node, bad)
			if err == nil {
				t.Fatalf("validator accepted it:\n%s", out)
			}
			if !strings.Contains(out, tc.want) {
				t.Errorf("validator said:\n%s\nwant a message containing %q", out, tc.want)
			}
		})
	}
}
