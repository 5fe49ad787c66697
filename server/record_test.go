package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/nhs-companion/companion/app/api"
)

func TestAmaraReadsHerRecord(t *testing.T) {
	e := mustStartServer(t)
	amara := e.signIn(t, "9990000018")
	res, body := amara.get(t, "/record")
	if res.StatusCode != 200 {
		t.Fatalf("/record: %d", res.StatusCode)
	}
	for _, s := range []string{"Allergies and adverse reactions", "Test results", "Documents and letters", "Some information may not be shown online"} {
		if !strings.Contains(body, s) {
			t.Errorf("/record lacks %q", s)
		}
	}
	res, body = amara.get(t, "/record/allergies")
	if res.StatusCode != 200 || !strings.Contains(strings.ToLower(body), "penicillin") {
		t.Errorf("allergies: %d", res.StatusCode)
	}
	res, body = amara.get(t, "/record/results")
	if res.StatusCode != 200 {
		t.Fatalf("results: %d", res.StatusCode)
	}
	// Out of range is said in words, not colour alone.
	doc := parse(t, body)
	flagged := 0
	for _, item := range all(doc, el("li")) {
		if f, _ := attr(item, "data-flag"); f != "" {
			flagged++
			if txt := textOf(item); !strings.Contains(txt, "than the range") && !strings.Contains(txt, "Outside the expected") {
				t.Errorf("a flagged value says nothing in words: %q", txt)
			}
		}
	}
	if flagged == 0 {
		t.Error("no out-of-range result in Amara's record")
	}
	// Units as people read them, never UCUM's spelling; each result a
	// stacked item, not a table that scrolls sideways on a phone.
	for _, card := range all(doc, func(n *html.Node) bool { _, ok := attr(n, "data-result"); return ok }) {
		if txt := textOf(card); strings.Contains(txt, "10*") || strings.Contains(txt, "{1.73_m2}") || strings.Contains(txt, "umol/L") {
			t.Errorf("a result shows a UCUM unit: %.120q", txt)
		}
		if len(all(card, el("table"))) > 0 {
			t.Error("a panel's results are a table")
		}
	}
	if !strings.Contains(body, "×10⁹/L") {
		t.Error("no unit written for people")
	}
	// Nothing the practice marked sensitive is ever shown.
	var rec api.Record
	if st, code := amara.call(t, "GET", "/api/v1/patients/"+amara.pid(t)+"/record", nil, &rec); st != 200 {
		t.Fatalf("record API: %d %s", st, code)
	}
	raw, err := e.srv.Access.GP.Record(context.Background(), "9990000018")
	if err != nil {
		t.Fatal(err)
	}
	shown := map[string]bool{}
	for _, x := range rec.Allergies {
		shown[x.ID] = true
	}
	for _, x := range rec.Problems {
		shown[x.ID] = true
	}
	for _, x := range rec.Consultations {
		shown[x.ID] = true
	}
	for _, x := range rec.Medicines {
		shown[x.ID] = true
	}
	for _, x := range rec.Documents {
		shown[x.ID] = true
	}
	for _, x := range rec.Results {
		shown[x.ID] = true
	}
	sensitive := 0
	for _, x := range raw.Problems {
		if x.Sensitive {
			sensitive++
			if shown[x.ID] {
				t.Errorf("sensitive problem %s shown", x.ID)
			}
		}
	}
	for _, x := range raw.Consultations {
		if x.Sensitive {
			sensitive++
			if shown[x.ID] {
				t.Errorf("sensitive consultation %s shown", x.ID)
			}
		}
	}
	if sensitive == 0 {
		t.Error("Amara's sandbox record has nothing sensitive to withhold")
	}
	// A text letter opens as a page; a PDF downloads.
	for _, d := range rec.Documents {
		path := "/record/documents/" + d.ID
		if d.ContentType == "application/pdf" {
			res, body := amara.get(t, path+"/file")
			if res.StatusCode != 200 || !strings.HasPrefix(body, "%PDF-") {
				t.Errorf("PDF %s: %d", d.ID, res.StatusCode)
			}
			continue
		}
		if res, _ := amara.get(t, path); res.StatusCode != 200 {
			t.Errorf("document %s: %d", d.ID, res.StatusCode)
		}
	}
	events, _ := e.srv.Auth.Audit.ForPatient(context.Background(), amara.pid(t), "", 50)
	views := map[string]bool{}
	for _, ev := range events {
		if ev.Action == "view_record" {
			views[ev.Reason] = true
		}
	}
	for _, s := range []string{"index", "allergies", "results", "api", "document"} {
		if !views[s] {
			t.Errorf("no audit event for viewing %s (have %v)", s, views)
		}
	}
}

func TestRecordAccessLevels(t *testing.T) {
	e := mustStartServer(t)
	// Amara, for Layla: the summary, and only the summary.
	amara := e.signIn(t, "9990000018")
	layla := e.srv.Access.IDs.For("9990000026")
	amara.post(t, "/profiles/"+layla+"/switch", nil)
	res, body := amara.get(t, "/record")
	if res.StatusCode != 200 || !strings.Contains(textOf(parse(t, body)), "a summary of Layla Okafor's record") || strings.Contains(body, `href="/record/results"`) {
		t.Errorf("Layla's record index for Amara: %d", res.StatusCode)
	}
	if got := probe(t, amara, "GET", "/record/results"); got != (cell{404, "section_not_found"}) {
		t.Errorf("results for a summary viewer: %+v", got)
	}
	var rec api.Record
	amara.call(t, "GET", "/api/v1/patients/"+layla+"/record", nil, &rec)
	if rec.Level != "summary" || len(rec.Problems)+len(rec.Results)+len(rec.Consultations)+len(rec.Documents) != 0 || len(rec.Immunisations) == 0 {
		t.Errorf("Layla's record for Amara: level %s, %d problems, %d results, %d immunisations", rec.Level, len(rec.Problems), len(rec.Results), len(rec.Immunisations))
	}
	// Priya, for George: no record permission.
	priya := e.signIn(t, "9990000034")
	priya.post(t, "/profiles/"+e.srv.Access.IDs.For("9990000042")+"/switch", nil)
	if got := probe(t, priya, "GET", "/record"); got != (cell{http.StatusForbidden, "forbidden"}) {
		t.Errorf("Priya for George: %+v", got)
	}
	// Tom proved his identity only to P5.
	tom := e.signIn(t, "9990000069")
	if got := probe(t, tom, "GET", "/record"); got != (cell{http.StatusForbidden, "proofing_level"}) {
		t.Errorf("Tom: %+v", got)
	}
}

// TestFHIRExportValidates downloads the record of everyone who may export
// one (and Layla's summary, for Amara), runs the independent validator on
// each bundle, and checks the filtering survived the export.
func TestFHIRExportValidates(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node not found: install Node.js 20, then run `make test`")
	}
	harness := filepath.Join("fhir", "validate", "validate.mjs")
	if _, err := os.Stat(filepath.Join("fhir", "validate", "node_modules", "fhir")); err != nil {
		t.Fatal("the FHIR validator is not installed: run `make test` (or `cd server/fhir/validate && npm ci`)")
	}
	e := mustStartServer(t)
	amara := e.signIn(t, "9990000018")
	priya := e.signIn(t, "9990000034")
	layla := e.srv.Access.IDs.For("9990000026")
	for _, tc := range []struct {
		name    string
		b       *browser
		pid     string
		summary bool
	}{
		{"Amara", amara, amara.pid(t), false},
		{"Priya", priya, priya.pid(t), false},
		{"Layla for Amara", amara, layla, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := tc.b.get(t, "/api/v1/patients/"+tc.pid+"/record.fhir")
			if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/fhir+json" {
				t.Fatalf("%d %s", res.StatusCode, res.Header.Get("Content-Type"))
			}
			path := filepath.Join(t.TempDir(), "bundle.json")
			if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(node, harness, path).CombinedOutput(); err != nil {
				t.Errorf("the validator rejects the export: %v\n%s", err, out)
			}
			var bundle struct {
				ResourceType, Type string
				Entry              []struct {
					Resource struct {
						ResourceType string `json:"resourceType"`
						ID           string `json:"id"`
					} `json:"resource"`
				} `json:"entry"`
			}
			if err := json.Unmarshal([]byte(body), &bundle); err != nil {
				t.Fatal(err)
			}
			kinds := map[string]int{}
			for _, en := range bundle.Entry {
				kinds[en.Resource.ResourceType]++
			}
			if kinds["Patient"] != 1 || kinds["AllergyIntolerance"]+kinds["MedicationStatement"]+kinds["Immunization"] == 0 {
				t.Errorf("resources %v", kinds)
			}
			// Amara's home blood pressures go with her record, as
			// vital-signs Observations (the validator checked them).
			if tc.name == "Amara" && (!strings.Contains(body, `"85354-9"`) || !strings.Contains(body, `"vital-signs"`)) {
				t.Error("the export holds no remote-monitoring readings")
			}
			if tc.summary && kinds["Condition"]+kinds["Observation"]+kinds["DiagnosticReport"]+kinds["Encounter"]+kinds["DocumentReference"] != 0 {
				t.Errorf("a summary export holds more than the summary: %v", kinds)
			}
		})
	}
	// Nothing sensitive leaves in an export: Amara's withheld items' terms
	// are nowhere in her bundle.
	raw, _ := e.srv.Access.GP.Record(context.Background(), "9990000018")
	_, body := amara.get(t, "/api/v1/patients/"+amara.pid(t)+"/record.fhir")
	for _, p := range raw.Problems {
		if p.Sensitive && strings.Contains(body, p.Code.Display) {
			t.Errorf("sensitive problem %q exported", p.Code.Display)
		}
	}
	for _, m := range raw.Medicines {
		if m.Sensitive && strings.Contains(body, m.Name) {
			t.Errorf("sensitive medicine %q exported", m.Name)
		}
	}
	// Refusals as for the pages: Priya for George, Tom at P5.
	if got := probe(t, priya, "GET", "/api/v1/patients/"+e.srv.Access.IDs.For("9990000042")+"/record.fhir"); got != (cell{403, "forbidden"}) {
		t.Errorf("Priya exporting George's record: %+v", got)
	}
}
