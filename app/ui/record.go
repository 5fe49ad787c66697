package ui

import (
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/nhs-companion/companion/app/api"
)

// recordPage is the GP health record: an index of sections with counts, one
// page per section, a document's page, and a printable page with every
// section the viewer may see.
type recordPage struct {
	app.Compo
	store *Store
}

// RecordPage builds a record page from the state the server rendered.
func RecordPage(s *Store) Page { return &recordPage{store: s} }

var sectionKeys = map[string]string{
	"allergies":     key("record.section.allergies"),
	"medicines":     key("record.section.medicines"),
	"problems":      key("record.section.problems"),
	"immunisations": key("record.section.immunisations"),
	"results":       key("record.section.results"),
	"consultations": key("record.section.consultations"),
	"documents":     key("record.section.documents"),
	"print":         key("record.print.title"),
}

// Title is the page title.
func (p *recordPage) Title() string {
	l := p.store.L()
	r := p.store.State.Record
	switch {
	case r == nil || r.Section == "":
		return l.T("record.title")
	case r.Document != nil:
		return r.Document.Title
	}
	return labelled(p.store, sectionKeys, r.Section, key("record.title"))
}

// Render draws the page.
func (p *recordPage) Render() app.UI {
	l := p.store.L()
	r := p.store.State.Record
	if r == nil {
		return &shell{Store: p.store, PageTitle: p.Title(), Content: []app.UI{app.H1().Text(p.Title())}}
	}
	var content []app.UI
	if r.Section != "" {
		back := "/record"
		if r.Document != nil {
			back = "/record/documents"
		}
		content = append(content, app.Div().Class("companion-no-print").Body(backLink(back, l.T("form.back"))))
	}
	content = append(content,
		app.Span().Class("nhsuk-caption-l").Text(l.T("record.caption", "Name", r.Patient, "Date", formatDate(l, r.BirthDate))),
		app.H1().Text(p.Title()),
	)
	switch r.Section {
	case "":
		content = append(content, p.index(r)...)
	case "print":
		for _, sec := range sectionsOf(r) {
			content = append(content, app.H2().Class("nhsuk-heading-l").Text(labelled(p.store, sectionKeys, sec, key("record.title"))))
			content = append(content, p.section(r, sec)...)
		}
	default:
		if r.Document != nil {
			content = append(content, p.document(r.Document)...)
		} else {
			content = append(content, p.section(r, r.Section)...)
		}
	}
	content = append(content, p.notice())
	return &shell{Store: p.store, PageTitle: p.Title(), Content: content}
}

// notice says that not everything may be shown online. It is on every
// record page, whether or not anything was withheld, so it gives nothing away.
func (p *recordPage) notice() app.UI {
	l := p.store.L()
	return app.Div().Class("nhsuk-inset-text").Body(
		app.Span().Class("nhsuk-u-visually-hidden").Text(l.T("shell.information")),
		app.P().Text(l.T("record.withheld")),
	)
}

func sectionsOf(r *api.Record) []string {
	if r.Level == "summary" {
		return api.SummarySections
	}
	return api.RecordSections
}

func (p *recordPage) index(r *api.Record) []app.UI {
	l := p.store.L()
	var items []app.UI
	for _, sec := range sectionsOf(r) {
		items = append(items, app.Li().Body(
			app.A().Href("/record/"+sec).Text(labelled(p.store, sectionKeys, sec, key("record.title"))),
			app.Text(" "),
			app.Span().Class("nhsuk-body-s").Text(l.N("record.count", r.Counts[sec])),
		))
	}
	out := []app.UI{}
	if r.Level == "summary" {
		out = append(out, app.P().Text(l.T("record.summaryOnly", "Name", r.Patient)))
	}
	out = append(out, el.Ul().Class("nhsuk-list companion-record-index").Body(items...))
	// Inside the NHS App, which cannot print, the printable record is a
	// file to keep (web/nhsapp-bridge.js).
	printLabel := l.T("record.print.link")
	if p.store.State.NHSAppHome != "" {
		printLabel = l.T("record.print.save")
	}
	links := []app.UI{app.Li().Body(app.A().Href("/record/print").DataSet("nhsapp-download", "health-record.html").Text(printLabel))}
	if r.Export {
		links = append(links, app.Li().Body(app.A().Href("/api/v1/patients/"+attr(r.PatientID)+"/record.fhir").
			Attr("download", "record.fhir.json").Text(l.T("record.export"))))
	}
	out = append(out, app.H2().Class("nhsuk-heading-m").Text(l.T("record.more")), el.Ul().Class("nhsuk-list").Body(links...))
	return out
}

func (p *recordPage) section(r *api.Record, sec string) []app.UI {
	l := p.store.L()
	empty := func(n int) []app.UI {
		if n == 0 {
			return []app.UI{app.P().Text(l.T("record.empty"))}
		}
		return nil
	}
	var out []app.UI
	switch sec {
	case "allergies":
		out = empty(len(r.Allergies))
		for _, a := range r.Allergies {
			out = append(out, recordCard(a.Substance,
				row(l.T("record.allergy.reaction"), joinComma(a.Reactions)),
				row(l.T("record.allergy.severity"), labelled(p.store, severityKeys, a.Severity, key("record.unknown"))),
				row(l.T("record.onset"), p.date(a.Onset)),
				row(l.T("record.recorded"), p.date(a.Recorded)),
				row(l.T("record.status"), labelled(p.store, statusWords, a.Status, key("record.unknown"))),
			))
		}
	case "medicines":
		out = empty(len(r.Medicines))
		for _, m := range r.Medicines {
			out = append(out, recordCard(m.Name,
				row(l.T("record.medicine.dose"), m.Dose),
				row(l.T("record.medicine.quantity"), m.Quantity),
				row(l.T("record.medicine.kind"), labelled(p.store, kindWords, m.Kind, key("record.unknown"))),
				row(l.T("record.status"), labelled(p.store, statusWords, m.Status, key("record.unknown"))),
				row(l.T("record.medicine.started"), p.date(m.Started)),
				row(l.T("record.medicine.ended"), p.date(m.Ended)),
				row(l.T("record.medicine.lastIssued"), p.date(m.LastIssued)),
			))
		}
	case "problems":
		out = empty(len(r.Problems))
		for _, x := range r.Problems {
			out = append(out, recordCard(x.Name,
				row(l.T("record.status"), labelled(p.store, statusWords, x.Status, key("record.unknown"))),
				row(l.T("record.problem.significance"), labelled(p.store, significanceWords, x.Significance, key("record.unknown"))),
				row(l.T("record.onset"), p.date(x.Onset)),
				row(l.T("record.problem.ended"), p.date(x.Ended)),
			))
		}
	case "immunisations":
		out = empty(len(r.Immunisations))
		if len(r.Immunisations) > 0 {
			rows := make([]app.UI, 0, len(r.Immunisations))
			for _, im := range r.Immunisations {
				rows = append(rows, tr(p.date(im.Date), im.Vaccine, im.Dose, im.Batch))
			}
			out = append(out, table(l.T("record.section.immunisations"),
				[]string{l.T("record.date"), l.T("record.immunisation.vaccine"), l.T("record.immunisation.dose"), l.T("record.immunisation.batch")}, rows))
		}
	case "results":
		out = empty(len(r.Results))
		if over := resultSeries(r.Results); len(over) > 0 {
			out = append(out, app.H2().Text(l.T("record.chart.heading")), app.P().Text(l.T("record.chart.lead")))
			for i, s := range over {
				out = append(out, p.chart(s, "chart-"+strconv.Itoa(i)))
			}
		}
		for _, res := range r.Results {
			out = append(out, p.result(res))
		}
	case "consultations":
		out = empty(len(r.Consultations))
		for _, c := range r.Consultations {
			rows := []app.UI{row(l.T("record.consultation.with"), joinComma([]string{c.Clinician, c.Role, c.Location}))}
			for _, e := range c.Entries {
				rows = append(rows, row(e.Heading, e.Text))
			}
			out = append(out, recordCard(p.date(c.Date), rows...))
		}
	case "documents":
		out = empty(len(r.Documents))
		var items []app.UI
		for _, d := range r.Documents {
			href := "/record/documents/" + attr(d.ID)
			if d.ContentType == "application/pdf" {
				href += "/file"
			}
			link := app.A().Href(href).Text(d.Title)
			if d.ContentType == "application/pdf" {
				link = link.Attr("download", "")
			}
			items = append(items, app.Li().Body(link, app.Br(),
				app.Span().Class("nhsuk-body-s").Text(joinComma([]string{p.date(d.Date), d.Author, labelled(p.store, formatWords, d.ContentType, key("record.unknown"))}))))
		}
		if len(items) > 0 {
			out = append(out, el.Ul().Class("nhsuk-list nhsuk-list--border").Body(items...))
		}
	}
	return out
}

// result shows a panel's values, each a stacked item (the test, its value
// and unit as people read them, the range and how the value compares, in
// words), so a phone 320 px wide shows it all without scrolling sideways.
func (p *recordPage) result(res api.RecordResult) app.UI {
	l := p.store.L()
	items := make([]app.UI, 0, len(res.Values))
	for _, v := range res.Values {
		value := v.Text
		if v.Value != "" {
			value = withUnit(v.Value, v.Unit)
		}
		var compared app.UI = app.Text(l.T("record.result.normal"))
		if v.Flag != "" {
			compared = el.Strong().Class("nhsuk-tag nhsuk-tag--orange").Text(labelled(p.store, flagWords, v.Flag, key("record.result.abnormal")))
		}
		rng := p.rangeText(v)
		rows := []app.UI{
			summaryRow(l.T("record.result.value"), value),
			row(l.T("record.result.rangeHeading"), rng),
		}
		if rng != "" || v.Flag != "" {
			// With no range and no flag there is nothing to compare with.
			rows = append(rows, app.Div().Class("nhsuk-summary-list__row").Body(
				el.Dt().Class("nhsuk-summary-list__key").Text(l.T("record.result.flag")),
				el.Dd().Class("nhsuk-summary-list__value").Body(compared),
			))
		}
		if v.Comment != "" {
			rows = append(rows, summaryRow(l.T("record.result.commentHeading"), v.Comment))
		}
		items = append(items, app.Li().Class("companion-result").DataSet("flag", attr(v.Flag)).Body(
			el.H3().Class("nhsuk-heading-s nhsuk-u-margin-bottom-2").Text(v.Test),
			el.Dl().Class("nhsuk-summary-list").Body(rows...),
		))
	}
	body := []app.UI{
		app.H2().Class("nhsuk-card__heading nhsuk-heading-m").Text(res.Panel),
		app.P().Class("nhsuk-card__description").Text(p.date(res.Date)),
		el.Ul().Class("nhsuk-list companion-results").Body(items...),
	}
	if res.Comment != "" {
		body = append(body, app.P().Text(l.T("record.result.comment", "Comment", res.Comment)))
	}
	return app.Div().Class("nhsuk-card").DataSet("result", attr(res.ID)).Body(app.Div().Class("nhsuk-card__content").Body(body...))
}

// rangeText is a value's range in words: both ends, or the one it has.
func (p *recordPage) rangeText(v api.ResultValue) string {
	l := p.store.L()
	unit, _ := UnitText(v.Unit)
	var text string
	switch {
	case v.Low != "" && v.High != "":
		text = l.T("record.result.range", "Low", v.Low, "High", v.High, "Unit", unit)
	case v.High != "":
		text = l.T("record.result.rangeUpTo", "High", v.High, "Unit", unit)
	case v.Low != "":
		text = l.T("record.result.rangeFrom", "Low", v.Low, "Unit", unit)
	default:
		return v.RangeText
	}
	return strings.Join(strings.Fields(text), " ") // no gap where a unit is not
}

func (p *recordPage) document(d *api.RecordDocument) []app.UI {
	l := p.store.L()
	return []app.UI{
		el.Dl().Class("nhsuk-summary-list").Body(
			summaryRow(l.T("record.date"), p.date(d.Date)),
			summaryRow(l.T("record.document.author"), d.Author),
		),
		app.Div().Class("companion-document").Text(d.Text),
	}
}

func (p *recordPage) date(iso string) string {
	if iso == "" {
		return p.store.L().T("record.unknown")
	}
	return formatDate(p.store.L(), iso)
}

// recordCard is one item: a heading and its details as a summary list.
func recordCard(heading string, rows ...app.UI) app.UI {
	return app.Div().Class("nhsuk-card").Body(app.Div().Class("nhsuk-card__content").Body(
		app.H2().Class("nhsuk-card__heading nhsuk-heading-m").Text(heading),
		el.Dl().Class("nhsuk-summary-list nhsuk-u-margin-bottom-0").Body(rows...),
	))
}

// row is a summary-list row, left out when there is nothing to say.
func row(k, v string) app.UI {
	if v == "" {
		return nil
	}
	return summaryRow(k, v)
}

func tr(cells ...string) app.UI {
	out := make([]app.UI, 0, len(cells))
	for _, c := range cells {
		out = append(out, el.Td().Class("nhsuk-table__cell").Text(c))
	}
	return el.Tr().Class("nhsuk-table__row").Body(out...)
}

func table(caption string, heads []string, rows []app.UI) app.UI {
	th := make([]app.UI, 0, len(heads))
	for _, h := range heads {
		th = append(th, el.Th().Class("nhsuk-table__header").Attr("scope", "col").Text(h))
	}
	// A region that may scroll sideways must be reachable by keyboard.
	return app.Div().Class("companion-table-scroll").Attr("role", "region").Aria("label", attr(caption)).TabIndex(0).Body(el.Table().Class("nhsuk-table").Body(
		el.Caption().Class("nhsuk-table__caption nhsuk-u-visually-hidden").Text(caption),
		el.THead().Class("nhsuk-table__head").Body(el.Tr().Class("nhsuk-table__row").Body(th...)),
		el.TBody().Class("nhsuk-table__body").Body(rows...),
	))
}

func joinComma(parts []string) string {
	out := ""
	for _, p := range parts {
		if p == "" {
			continue
		}
		if out != "" {
			out += ", "
		}
		out += p
	}
	return out
}

var severityKeys = map[string]string{
	"mild":     key("record.severity.mild"),
	"moderate": key("record.severity.moderate"),
	"severe":   key("record.severity.severe"),
}

var statusWords = map[string]string{
	"active":   key("record.status.active"),
	"resolved": key("record.status.resolved"),
	"current":  key("record.status.current"),
	"past":     key("record.status.past"),
}

var kindWords = map[string]string{
	"repeat": key("record.medicine.repeat"),
	"acute":  key("record.medicine.acute"),
}

var significanceWords = map[string]string{
	"significant": key("record.problem.significant"),
	"minor":       key("record.problem.minor"),
}

var flagWords = map[string]string{
	"high":     key("record.result.high"),
	"low":      key("record.result.low"),
	"abnormal": key("record.result.abnormal"),
}

var formatWords = map[string]string{
	"application/pdf": key("record.document.pdf"),
	"text/plain":      key("record.document.text"),
}
