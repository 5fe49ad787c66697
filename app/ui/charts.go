package ui

import (
	"html"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/nhs-companion/companion/app/api"
)

// A test done more than once (haemoglobin at each full blood count, say)
// is drawn over time: an SVG line chart rendered with the page, so it shows
// without WebAssembly and prints, with the normal range shaded, every
// result outside it marked by shape as well as said in words, and the same
// data as a table one tap away.

// series is one test's numeric results over time, oldest first.
type series struct {
	Test, Unit string
	// Low and High are the range's ends when every result had the same
	// range (NaN when open, or when the ranges differed); LowText and
	// HighText are them as the laboratory wrote them.
	Low, High         float64
	LowText, HighText string
	// RangesDiffer is set when the laboratory's range changed over time:
	// then no band is shaded, and each result's own comparison stands.
	RangesDiffer bool
	Points       []seriesPoint
}

type seriesPoint struct {
	Date      string // ISO date, or the time as the axis shows it
	At        time.Time
	Value     float64
	Text      string // the value as reported
	Flag      string
	Low, High string // the range the laboratory gave this result
}

// resultSeries gathers the record's numeric results by test and unit,
// keeping the tests with two or more dated results (an undated one is left
// to its card). A test any of whose
// results is not a plain number (">90", "<4": a comparator) is not drawn,
// since a chart could not show it and would say less than the cards do.
func resultSeries(results []api.RecordResult) []series {
	index := map[string]int{}
	unplottable := map[string]bool{}
	var out []series
	for _, r := range results {
		for _, v := range r.Values {
			if v.Value == "" {
				continue // a result in words
			}
			k := v.Test + "\x00" + v.Unit
			f, ok := plainNumber(v.Value)
			if !ok {
				unplottable[k] = true
				continue
			}
			if day(r.Date).IsZero() {
				continue // an undated result has no place in time; its card shows it
			}
			i, seen := index[k]
			if !seen {
				i = len(out)
				index[k] = i
				out = append(out, series{Test: v.Test, Unit: v.Unit})
			}
			out[i].Points = append(out[i].Points, seriesPoint{Date: r.Date, At: day(r.Date), Value: f, Text: v.Value, Flag: v.Flag, Low: v.Low, High: v.High})
		}
	}
	kept := out[:0]
	for _, s := range out {
		if len(s.Points) < 2 || unplottable[s.Test+"\x00"+s.Unit] {
			continue
		}
		slices.SortStableFunc(s.Points, func(a, b seriesPoint) int { return strings.Compare(a.Date, b.Date) })
		latest := s.Points[len(s.Points)-1]
		s.LowText, s.HighText = latest.Low, latest.High
		for _, pt := range s.Points {
			s.RangesDiffer = s.RangesDiffer || pt.Low != latest.Low || pt.High != latest.High
		}
		s.Low, s.High = parseEnd(latest.Low), parseEnd(latest.High)
		if s.RangesDiffer {
			s.Low, s.High, s.LowText, s.HighText = math.NaN(), math.NaN(), "", ""
		}
		kept = append(kept, s)
	}
	return kept
}

// plainNumber reads a decimal number written plainly: no comparator, no
// exponent, nothing infinite.
func plainNumber(s string) (float64, bool) {
	if s == "" || strings.ContainsAny(s, "<>=≤≥eEIiNnxXpP_") {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
}

func parseEnd(s string) float64 {
	f, ok := plainNumber(s)
	if !ok {
		return math.NaN()
	}
	return f
}

// The chart's drawing area, in SVG user units (1 unit is 1 CSS pixel at
// 320 px wide: the chart is legible on the smallest phone).
const (
	chartW, chartH           = 320.0, 200.0
	chartLeft, chartRight    = 48.0, 16.0
	chartTop, chartBottom    = 24.0, 36.0
	chartPlotW, chartPlotH   = chartW - chartLeft - chartRight, chartH - chartTop - chartBottom
	markerRadius, diamondArm = 4.5, 6.5
)

// chart draws one test over time, with its description and table.
func (p *recordPage) chart(s series, id string) app.UI {
	l := p.store.L()
	unit, _ := UnitText(s.Unit)
	latest := s.Points[len(s.Points)-1]
	compared := l.T("record.result.normal")
	if latest.Flag != "" {
		compared = labelled(p.store, flagWords, latest.Flag, key("record.result.abnormal"))
	}
	title := l.N("record.chart.title", len(s.Points), "Test", s.Test)
	desc := l.T("record.chart.desc", "From", p.date(s.Points[0].Date), "To", p.date(latest.Date),
		"Latest", withUnit(latest.Text, s.Unit), "Compared", strings.ToLower(compared))
	rng := p.rangeText(api.ResultValue{Low: s.LowText, High: s.HighText, Unit: s.Unit})
	switch {
	case s.RangesDiffer:
		desc += " " + l.T("record.chart.rangesDiffer")
	case rng != "":
		desc += " " + l.T("record.chart.range", "Range", rng)
	}
	rows := make([]app.UI, 0, len(s.Points))
	for i := len(s.Points) - 1; i >= 0; i-- {
		pt := s.Points[i]
		word := l.T("record.result.normal")
		if pt.Flag != "" {
			word = labelled(p.store, flagWords, pt.Flag, key("record.result.abnormal"))
		}
		rows = append(rows, tr(p.date(pt.Date), withUnit(pt.Text, s.Unit), word))
	}
	legend := l.T("record.chart.legendPoints")
	switch {
	case s.RangesDiffer:
		legend = l.T("record.chart.rangesDiffer") + " " + legend
	case rng != "":
		legend = l.T("record.chart.legendRange", "Range", rng) + " " + legend
	}
	return app.Div().Class("companion-chart").DataSet("chart", attr(s.Test)).Body(
		el.H3().Class("nhsuk-heading-s").Text(s.Test),
		app.Raw(chartSVG(s, id, title, desc, unit, p.date)),
		app.P().Class("nhsuk-body-s").Text(legend),
		el.Details().Class("nhsuk-details").Body(
			el.Summary().Class("nhsuk-details__summary").Body(
				app.Span().Class("nhsuk-details__summary-text").Text(l.T("record.chart.table", "Test", s.Test)),
			),
			app.Div().Class("nhsuk-details__text").Body(
				table(title, []string{l.T("record.date"), l.T("record.result.value"), l.T("record.result.flag")}, rows),
			),
		),
	)
}

// chartSVG is the chart itself: the range as a shaded band between dashed
// lines, the results joined in time order, a dot for each result in range
// and a diamond for each outside it, the values written beside the points
// (all of them, up to six; the first and last beyond that), and the first
// and last dates along the bottom.
func chartSVG(s series, id, title, desc, unit string, date func(string) string) string {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, pt := range s.Points {
		lo, hi = math.Min(lo, pt.Value), math.Max(hi, pt.Value)
	}
	for _, end := range []float64{s.Low, s.High} {
		if !math.IsNaN(end) {
			lo, hi = math.Min(lo, end), math.Max(hi, end)
		}
	}
	// At least a fifth of the values' size top to bottom, so 5.0 and 5.1
	// do not look like a steep rise.
	if span, least := hi-lo, math.Max(math.Abs(hi+lo)/2*0.2, 0.1); span < least {
		mid := (hi + lo) / 2
		lo, hi = mid-least/2, mid+least/2
	}
	pad := (hi - lo) * 0.15
	lo, hi = lo-pad, hi+pad
	y := func(v float64) float64 { return chartTop + chartPlotH*(hi-v)/(hi-lo) }
	first, last := s.Points[0].At, s.Points[len(s.Points)-1].At
	x := func(i int) float64 {
		span := last.Sub(first)
		if span <= 0 {
			return chartLeft + chartPlotW*float64(i)/float64(len(s.Points)-1)
		}
		return chartLeft + chartPlotW*float64(s.Points[i].At.Sub(first))/float64(span)
	}
	num := func(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }
	var b strings.Builder
	esc := html.EscapeString
	b.WriteString(`<svg class="companion-chart__svg" viewBox="0 0 320 200" width="100%" role="img" focusable="false" xmlns="http://www.w3.org/2000/svg" aria-labelledby="` +
		esc(id) + `-title" aria-describedby="` + esc(id) + `-desc">`)
	b.WriteString(`<title id="` + esc(id) + `-title">` + esc(title) + `</title><desc id="` + esc(id) + `-desc">` + esc(desc) + `</desc>`)
	// The plot's frame and the range.
	b.WriteString(`<rect class="companion-chart__plot" x="` + num(chartLeft) + `" y="` + num(chartTop) + `" width="` + num(chartPlotW) + `" height="` + num(chartPlotH) + `"/>`)
	top, bottom := chartTop, chartTop+chartPlotH
	if !math.IsNaN(s.High) {
		top = y(s.High)
	}
	if !math.IsNaN(s.Low) {
		bottom = y(s.Low)
	}
	if !math.IsNaN(s.Low) || !math.IsNaN(s.High) {
		b.WriteString(`<rect class="companion-chart__range" x="` + num(chartLeft) + `" y="` + num(top) + `" width="` + num(chartPlotW) + `" height="` + num(bottom-top) + `"/>`)
	}
	// The ends' labels sit on their lines, or, when the band is too narrow
	// for two lines of text, the top one above and the bottom one below.
	apart := math.IsNaN(s.Low) || math.IsNaN(s.High) || y(s.Low)-y(s.High) >= 16
	for _, end := range []struct {
		v     float64
		text  string
		shift float64
	}{{s.Low, s.LowText, 10}, {s.High, s.HighText, -4}} {
		if math.IsNaN(end.v) {
			continue
		}
		at := y(end.v) + 4
		if !apart {
			at = y(end.v) + end.shift
		}
		b.WriteString(`<line class="companion-chart__limit" x1="` + num(chartLeft) + `" x2="` + num(chartLeft+chartPlotW) + `" y1="` + num(y(end.v)) + `" y2="` + num(y(end.v)) + `"/>`)
		b.WriteString(`<text class="companion-chart__axis" x="` + num(chartLeft-6) + `" y="` + num(at) + `" text-anchor="end">` + esc(end.text) + `</text>`)
	}
	if unit != "" {
		b.WriteString(`<text class="companion-chart__axis" x="4" y="14">` + esc(unit) + `</text>`)
	}
	// The results.
	pts := make([]string, len(s.Points))
	for i, pt := range s.Points {
		pts[i] = num(x(i)) + "," + num(y(pt.Value))
	}
	b.WriteString(`<polyline class="companion-chart__line" points="` + strings.Join(pts, " ") + `"/>`)
	for i, pt := range s.Points {
		cx, cy := x(i), y(pt.Value)
		if pt.Flag != "" {
			b.WriteString(`<path class="companion-chart__out" d="M` + num(cx) + ` ` + num(cy-diamondArm) + `l` + num(diamondArm) + ` ` + num(diamondArm) +
				`l-` + num(diamondArm) + ` ` + num(diamondArm) + `l-` + num(diamondArm) + `-` + num(diamondArm) + `z"/>`)
		} else {
			b.WriteString(`<circle class="companion-chart__point" cx="` + num(cx) + `" cy="` + num(cy) + `" r="` + num(markerRadius) + `"/>`)
		}
		if len(s.Points) <= 6 || i == 0 || i == len(s.Points)-1 {
			anchor := "middle"
			switch {
			case i == 0:
				anchor = "start"
			case i == len(s.Points)-1:
				anchor = "end"
			}
			b.WriteString(`<text class="companion-chart__value" x="` + num(cx) + `" y="` + num(cy-10) + `" text-anchor="` + anchor + `">` + esc(pt.Text) + `</text>`)
		}
	}
	b.WriteString(`<text class="companion-chart__axis" x="` + num(chartLeft) + `" y="` + num(chartH-12) + `">` + esc(date(s.Points[0].Date)) + `</text>`)
	b.WriteString(`<text class="companion-chart__axis" x="` + num(chartLeft+chartPlotW) + `" y="` + num(chartH-12) + `" text-anchor="end">` +
		esc(date(s.Points[len(s.Points)-1].Date)) + `</text>`)
	b.WriteString(`</svg>`)
	return b.String()
}

// day is an ISO date's midnight (the zero time for a date it cannot read).
func day(iso string) time.Time {
	t, _ := time.Parse(time.DateOnly, iso)
	return t
}
