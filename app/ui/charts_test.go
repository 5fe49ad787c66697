package ui

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/nhs-companion/companion/app/api"
)

func TestResultsOverTimeAreChartedWithTheirRange(t *testing.T) {
	results := []api.RecordResult{
		{Date: "2026-10-20", Values: []api.ResultValue{
			{Test: "Haemoglobin", Value: "112", Unit: "g/L", Low: "115", High: "165", Flag: "low"},
			{Test: "Ferritin", Value: "8", Unit: "ug/L", Low: "15", High: "150", Flag: "low"},
			{Test: "Urine", Text: "Clear"},
		}},
		{Date: "2026-03-01", Values: []api.ResultValue{{Test: "Haemoglobin", Value: "121", Unit: "g/L", Low: "115", High: "165"}}},
		{Date: "2025-09-30", Values: []api.ResultValue{
			{Test: "Haemoglobin", Value: "131", Unit: "g/L", Low: "115", High: "165"},
			// The same test in other units is another series.
			{Test: "Haemoglobin", Value: "13.1", Unit: "g/dL"},
			{Test: "Cholesterol", Value: "5.4", Unit: "mmol/L", High: "5.0", Flag: "high"},
		}},
		{Date: "2025-01-10", Values: []api.ResultValue{{Test: "Cholesterol", Value: "not a number", Unit: "mmol/L"}}},
	}
	got := resultSeries(results)
	if len(got) != 1 || got[0].Test != "Haemoglobin" || got[0].Unit != "g/L" || len(got[0].Points) != 3 {
		t.Fatalf("series: %+v", got)
	}
	s := got[0]
	if s.Points[0].Date != "2025-09-30" || s.Points[2].Text != "112" || s.Low != 115 || s.High != 165 {
		t.Errorf("not oldest first, or the range is not the latest's: %+v", s)
	}
	svg := chartSVG(s, "c1", "Haemoglobin: 3 results", "From … to …", "g/L", func(iso string) string { return iso })
	var doc struct {
		XMLName xml.Name
		Role    string `xml:"role,attr"`
		Label   string `xml:"aria-labelledby,attr"`
		Title   struct {
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
	if doc.XMLName.Local != "svg" || doc.Role != "img" || doc.Label != "c1-title c1-desc" || doc.Title.ID != "c1-title" || doc.Desc.ID != "c1-desc" ||
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
	// Text from the record is escaped.
	s.Test = `<script>`
	if out := chartSVG(s, `"x`, `<b>`, "&", "", func(string) string { return "<i>" }); strings.Contains(out, "<script>") || strings.Contains(out, "<b>") ||
		strings.Contains(out, "<i>") || strings.Contains(out, `id=""x`) {
		t.Error("chart text not escaped")
	}
}
