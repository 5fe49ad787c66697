package ui

import (
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/nhs-companion/companion/app/api"
)

// Each monitored reading is drawn over time as the test results are: an
// SVG chart rendered with the page (so it shows without WebAssembly and
// prints), the band within the plan's amber thresholds shaded, each reading
// that needed attention marked by shape as well as said in words, and the
// same data as a table one tap away. A blood pressure is two charts, top
// number and bottom.

// monitoringCharts draws every part of every sign on the plan with two or
// more readings, oldest to newest.
func monitoringCharts(s *Store, plan *api.MonitoringPlan, newestFirst []api.Reading) []app.UI {
	l := s.L()
	var out []app.UI
	for _, ps := range plan.Signs {
		var list []api.Reading
		for _, r := range newestFirst {
			if r.Sign == ps.Sign {
				list = append(list, r)
			}
		}
		if len(list) < 2 {
			continue
		}
		slices.Reverse(list)
		if len(out) == 0 {
			out = append(out, app.H2().Text(l.T("monitoring.charts")))
		}
		for i, part := range ps.Parts {
			out = append(out, readingChart(s, ps, i, part, list))
		}
	}
	return out
}

// readingChart is one part of a sign over time, with its table.
func readingChart(s *Store, ps api.PlanSign, i int, part api.SignPart, oldestFirst []api.Reading) app.UI {
	l := s.L()
	name := signName(l, ps.Sign)
	if part.Name != "" {
		name += ": " + labelled(s, partKeys, part.Name, key("monitoring.sign.other"))
	}
	num := func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
	end := func(e *float64) (float64, string) {
		if e == nil {
			return math.NaN(), ""
		}
		return *e, num(*e)
	}
	sr := series{Test: name, Unit: ps.Unit}
	sr.Low, sr.LowText = end(part.Limits.AmberLow)
	sr.High, sr.HighText = end(part.Limits.AmberHigh)
	rows := make([]app.UI, 0, len(oldestFirst))
	for _, r := range oldestFirst {
		if i >= len(r.Values) {
			continue
		}
		text := num(r.Values[i])
		sr.Points = append(sr.Points, seriesPoint{Date: strconv.FormatInt(r.Taken, 10), At: time.UnixMilli(r.Taken), Value: r.Values[i], Text: text, Flag: r.Attention})
	}
	for j := len(oldestFirst) - 1; j >= 0; j-- {
		r := oldestFirst[j]
		if i < len(r.Values) {
			rows = append(rows, tr(formatTime(l, r.Taken), withUnit(num(r.Values[i]), ps.Unit), attentionText(l, r)))
		}
	}
	when := func(ms string) string {
		n, _ := strconv.ParseInt(ms, 10, 64)
		return formatDay(l, n)
	}
	id := "chart-" + ps.Sign + "-" + strconv.Itoa(i)
	latest := oldestFirst[len(oldestFirst)-1]
	title := l.N("monitoring.chart.title", len(sr.Points), "Sign", name)
	desc := l.T("monitoring.chart.desc", "From", formatTime(l, oldestFirst[0].Taken), "To", formatTime(l, latest.Taken),
		"Latest", withUnit(num(latest.Values[min(i, len(latest.Values)-1)]), ps.Unit), "Compared", attentionText(l, latest))
	band := l.T("monitoring.chart.noBand")
	switch {
	case sr.LowText != "" && sr.HighText != "":
		band = l.T("monitoring.chart.band", "Low", sr.LowText, "High", sr.HighText)
	case sr.LowText != "":
		band = l.T("monitoring.chart.bandLow", "Low", sr.LowText)
	case sr.HighText != "":
		band = l.T("monitoring.chart.bandHigh", "High", sr.HighText)
	}
	unit, _ := UnitText(ps.Unit)
	return app.Div().Class("companion-chart").DataSet("chart", attr(id)).Body(
		el.H3().Class("nhsuk-heading-s").Text(name),
		app.Raw(chartSVG(sr, id, title, desc+" "+band, unit, when)),
		app.P().Class("nhsuk-body-s").Text(band+" "+l.T("monitoring.chart.legend")),
		el.Details().Class("nhsuk-details").Body(
			el.Summary().Class("nhsuk-details__summary").Body(
				app.Span().Class("nhsuk-details__summary-text").Text(l.T("monitoring.chart.table", "Sign", name)),
			),
			app.Div().Class("nhsuk-details__text").Body(
				table(title, []string{l.T("monitoring.table.when"), l.T("monitoring.table.reading"), l.T("monitoring.table.compared")}, rows),
			),
		),
	)
}
