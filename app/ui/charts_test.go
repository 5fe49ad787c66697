package ui

import (
	"encoding/xml"
	"math"
	"strings"
	"testing"

	"github.com/nhs-companion/companion/app/api"
)

func TestResultsOverTimeAreChartedWithTheirRange(t *testing.T) {
	// Not in date order (GP systems send what they send).
	results := []api.RecordResult{
		{Date: "2026-03-01", Values: []api.ResultValue{{Test: "Haemoglobin", Value: "121", Unit: "g/L", Low: "115", High: "165"}}},
		{Date: "2026-10-20", Values: []api.ResultValue{
			{Test: "Haemoglobin", Value: "112", Unit: "g/L", Low: "115", High: "165", Flag: "low"},
			{Test: "Ferritin", Value: "8", Unit: "ug/L", Low: "15", High: "150", Flag: "low"},
			{Test: "Urine", Text: "Clear"},
		}},
		{Date: "2025-09-30", Values: []api.ResultValue{
			{Test: "Haemoglobin", Value: "131", Unit: "g/L", Low: "115", High: "165"},
			// The same test in other units is another series.
			{Test: "Haemoglobin", Value: "13.1", Unit: "g/dL"},
			{Test: "Cholesterol", Value: "5.4", Unit: "mmol/L", High: "5.0", Flag: "high"},
		}},
		{Date: "2025-01-10", Values: []api.ResultValue{
			{Test: "Cholesterol", Value: "5.1", Unit: "mmol/L", High: "5.0", Flag: "high"},
			// A comparator cannot be drawn: the test is left to its cards.
			{Test: "eGFR", Value: ">90", Unit: "mL/min/{1.73_m2}"},
		}},
		{Date: "2024-06-01", Values: []api.ResultValue{{Test: "eGFR", Value: "84", Unit: "mL/min/{1.73_m2}"}}},
		{Date: "2023-06-01", Values: []api.ResultValue{{Test: "eGFR", Value: "88", Unit: "mL/min/{1.73_m2}"}}},
		// An undated result cannot be placed in time.
		{Date: "", Values: []api.ResultValue{{Test: "Cholesterol", Value: "6.0", Unit: "mmol/L"}}},
	}
	got := resultSeries(results)
	if len(got) != 2 || got[0].Test != "Haemoglobin" || got[0].Unit != "g/L" || len(got[0].Points) != 3 ||
		got[1].Test != "Cholesterol" || len(got[1].Points) != 2 {
		t.Fatalf("series: %+v", got)
	}
	s := got[0]
	if s.Points[0].Date != "2025-09-30" || s.Points[1].Date != "2026-03-01" || s.Points[2].Text != "112" ||
		s.Low != 115 || s.High != 165 || s.LowText != "115" || s.RangesDiffer {
		t.Errorf("not oldest first, or the range is not the one every result had: %+v", s)
	}
	// A range the laboratory changed is not shaded as if it were the same.
	changed := resultSeries([]api.RecordResult{
		{Date: "2026-01-01", Values: []api.ResultValue{{Test: "ALT", Value: "30", Unit: "U/L", Low: "0", High: "40"}}},
		{Date: "2025-01-01", Values: []api.ResultValue{{Test: "ALT", Value: "38", Unit: "U/L", Low: "0", High: "35", Flag: "high"}}},
	})
	if len(changed) != 1 || !changed[0].RangesDiffer || !math.IsNaN(changed[0].High) {
		t.Errorf("changed ranges: %+v", changed)
	} else if svg := chartSVG(changed[0], "c2", "t", "d", "U/L", func(iso string) string { return iso }); strings.Contains(svg, "companion-chart__range") {
		t.Error("a band shaded across ranges that differ")
	}
	// Two near-equal values do not fill the height.
	flat := series{Test: "Na", Low: math.NaN(), High: math.NaN(), Points: []seriesPoint{{Date: "2025-01-01", At: day("2025-01-01"), Value: 5.0, Text: "5.0"}, {Date: "2026-01-01", At: day("2026-01-01"), Value: 5.1, Text: "5.1"}}}
	if ys := pointYs(t, chartSVG(flat, "c3", "t", "d", "", func(iso string) string { return iso })); len(ys) != 2 || ys[0]-ys[1] > chartPlotH/4 {
		t.Errorf("5.0 to 5.1 rises %v of %v", ys, chartPlotH)
	}
	svg := chartSVG(s, "c1", "Haemoglobin: 3 results", "From … to …", "g/L", func(iso string) string { return iso })
	var doc struct {
		XMLName   xml.Name
		Role      string `xml:"role,attr"`
		Label     string `xml:"aria-labelledby,attr"`
		Described string `xml:"aria-describedby,attr"`
		Title     struct {
			ID   string `xml:"id,attr"`
			Text string `xml:",chardata"`
		} `xml:"title"`
		Desc struct {
			ID string `xml:"id,attr"`
		} `xml:"desc"`
		Circles []struct{} `xml:"circle"`
		Paths   []struct {
			Class string `xml:"class,attr"`
		} `xml:"path"`
		Rects []struct {
			Class string `xml:"class,attr"`
		} `xml:"rect"`
		Texts []string `xml:"text"`
	}
	if err := xml.Unmarshal([]byte(svg), &doc); err != nil {
		t.Fatalf("not well-formed: %v\n%s", err, svg)
	}
	if doc.XMLName.Local != "svg" || doc.Role != "img" || doc.Label != "c1-title" || doc.Described != "c1-desc" || doc.Title.ID != "c1-title" || doc.Desc.ID != "c1-desc" ||
		doc.Title.Text != "Haemoglobin: 3 results" {
		t.Errorf("accessible name and description: %+v", doc)
	}
	if len(doc.Circles) != 2 || len(doc.Paths) != 1 || doc.Paths[0].Class != "companion-chart__out" {
		t.Errorf("two in range as dots and one outside as a diamond: %d circles, %+v", len(doc.Circles), doc.Paths)
	}
	ranged := false
	for _, r := range doc.Rects {
		ranged = ranged || r.Class == "companion-chart__range"
	}
	texts := strings.Join(doc.Texts, "|")
	if !ranged || !strings.Contains(texts, "115") || !strings.Contains(texts, "165") || !strings.Contains(texts, "131") ||
		!strings.Contains(texts, "2025-09-30") || !strings.Contains(texts, "2026-10-20") {
		t.Errorf("the range, its ends, the values and the dates: %s", texts)
	}
	// Text from the record is escaped wherever it goes.
	s.Points[0].Text, s.LowText = `<script>`, `"><u>`
	out := chartSVG(s, `"x`, `<b>`, "&", "<em>", func(string) string { return "<i>" })
	for _, raw := range []string{"<script>", "<b>", "<i>", "<em>", "<u>", `id=""x`} {
		if strings.Contains(out, raw) {
			t.Errorf("chart text not escaped: %s", raw)
		}
	}
	if !strings.Contains(out, "&amp;") || xml.Unmarshal([]byte(out), new(struct{})) != nil {
		t.Error("escaped chart is not well-formed")
	}
}

// pointYs are the vertical positions of a chart's dots, in order.
func pointYs(t *testing.T, svg string) []float64 {
	t.Helper()
	var doc struct {
		Circles []struct {
			CY float64 `xml:"cy,attr"`
		} `xml:"circle"`
	}
	if err := xml.Unmarshal([]byte(svg), &doc); err != nil {
		t.Fatal(err)
	}
	var ys []float64
	for _, c := range doc.Circles {
		ys = append(ys, c.CY)
	}
	return ys
}
