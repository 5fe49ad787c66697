package ui

import (
	"strconv"
	"strings"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/i18n"
)

// monitoringPage is the patient's remote monitoring: what their plan asks
// for and when it is due, the readings over time, a page to send each
// reading, and after sending, what happens next (urgent advice at once for
// a reading past a red threshold).
type monitoringPage struct {
	app.Compo
	store *Store
}

// MonitoringPage builds the monitoring pages from the server's state.
func MonitoringPage(s *Store) Page { return &monitoringPage{store: s} }

// signKeys name the vital signs.
var signKeys = map[string]string{
	"blood_pressure":    key("monitoring.sign.blood_pressure"),
	"pulse":             key("monitoring.sign.pulse"),
	"oxygen_saturation": key("monitoring.sign.oxygen_saturation"),
	"temperature":       key("monitoring.sign.temperature"),
	"respiratory_rate":  key("monitoring.sign.respiratory_rate"),
	"weight":            key("monitoring.sign.weight"),
	"peak_flow":         key("monitoring.sign.peak_flow"),
	"blood_glucose":     key("monitoring.sign.blood_glucose"),
}

// partKeys name a blood pressure's two numbers.
var partKeys = map[string]string{"systolic": key("monitoring.part.systolic"), "diastolic": key("monitoring.part.diastolic")}

// attentionKeys say how a reading stood against the plan, by attention and
// direction.
var attentionKeys = map[string]string{
	"":           key("monitoring.attention.none"),
	"amber high": key("monitoring.attention.amberHigh"),
	"amber low":  key("monitoring.attention.amberLow"),
	"red high":   key("monitoring.attention.redHigh"),
	"red low":    key("monitoring.attention.redLow"),
}

func signName(l *i18n.Localizer, sign string) string {
	return label(l, signKeys, sign, key("monitoring.sign.other"))
}

func attentionText(l *i18n.Localizer, r api.Reading) string {
	k := strings.TrimSpace(r.Attention + " " + r.Direction)
	if r.Attention == "" {
		k = ""
	}
	return label(l, attentionKeys, k, key("monitoring.attention.none"))
}

// readingText is a reading's value with its unit: "142/88 mmHg", "37.8 °C".
func readingText(r api.Reading) string {
	parts := make([]string, len(r.Values))
	for i, v := range r.Values {
		parts[i] = strconv.FormatFloat(v, 'f', -1, 64)
	}
	return withUnit(strings.Join(parts, "/"), r.Unit)
}

// Title is the page title: the reading's when sending one, the advice's
// when a reading just sent needs urgent help.
func (p *monitoringPage) Title() string {
	l := p.store.L()
	v := p.store.State.Monitoring
	switch {
	case v != nil && v.Form != nil:
		return l.T("monitoring.send.title", "Sign", strings.ToLower(signName(l, v.Form.Sign)))
	case v != nil && v.Sent != nil && v.Sent.Attention == "red":
		return l.T("monitoring.urgent.title")
	}
	return l.T("monitoring.title")
}

// Render draws the page.
func (p *monitoringPage) Render() app.UI {
	v := p.store.State.Monitoring
	switch {
	case v == nil:
		return &shell{Store: p.store, PageTitle: p.Title(), Content: []app.UI{app.H1().Text(p.Title())}}
	case v.Form != nil:
		return &shell{Store: p.store, PageTitle: p.Title(), Content: p.form(v, v.Form)}
	}
	l := p.store.L()
	// The heading is the urgent advice's own when a red reading was just
	// sent, and the advice follows it, so the first thing read (focus
	// moves to the heading) is what to do.
	content := []app.UI{app.Span().Class("nhsuk-caption-l").Text(v.Patient), app.H1().Text(p.Title())}
	if v.Sent != nil {
		content = append(content, p.sent(v.Sent))
	}
	if v.Plan == nil {
		return &shell{Store: p.store, PageTitle: p.Title(), Content: append(content, app.P().Text(l.T("monitoring.noPlan")))}
	}
	if v.Plan.Active {
		content = append(content, app.P().Text(l.T("monitoring.until", "Date", formatDay(l, v.Plan.End))))
	} else {
		content = append(content, app.P().Text(l.T("monitoring.ended", "Date", formatDay(l, v.Plan.End))))
	}
	content = append(content, app.Div().Class("nhsuk-inset-text").Body(
		app.Span().Class("nhsuk-u-visually-hidden").Text(l.T("shell.information")),
		app.P().Text(l.T("monitoring.worse")),
	))
	for _, ps := range v.Plan.Signs {
		content = append(content, p.signCard(v.Plan, ps))
	}
	content = append(content, monitoringCharts(p.store, v.Plan, v.Readings)...)
	return &shell{Store: p.store, PageTitle: p.Title(), Content: content}
}

// signCard is one reading the plan asks for: how often, the last one, when
// the next is due (or that it is overdue, in words), and the way to send it.
func (p *monitoringPage) signCard(plan *api.MonitoringPlan, ps api.PlanSign) app.UI {
	l := p.store.L()
	name := signName(l, ps.Sign)
	body := []app.UI{
		app.H2().Class("nhsuk-card__heading nhsuk-heading-m").Text(name),
		app.P().Class("nhsuk-card__description").Text(l.N("monitoring.every", ps.EveryHours)),
	}
	if ps.Last != nil {
		body = append(body, app.P().Text(l.T("monitoring.last", "Reading", readingText(*ps.Last), "When", formatTime(l, ps.Last.Taken))))
	} else {
		body = append(body, app.P().Text(l.T("monitoring.noneYet")))
	}
	if plan.Active {
		due := app.P().Text(l.T("monitoring.due", "When", formatTime(l, ps.Due)))
		if ps.Missed {
			due = app.P().Body(el.Strong().Class("nhsuk-tag nhsuk-tag--orange").Text(l.T("monitoring.overdue")),
				app.Text(" "+l.T("monitoring.dueWas", "When", formatTime(l, ps.Due))))
		}
		body = append(body, due,
			app.A().Class("nhsuk-button nhsuk-u-margin-bottom-0").Href("/monitoring/"+attr(ps.Sign)).DataSet("noprefetch", "true").
				Text(l.T("monitoring.send.button", "Sign", strings.ToLower(name))))
	}
	return app.Div().Class("nhsuk-card").DataSet("sign", attr(ps.Sign)).Body(app.Div().Class("nhsuk-card__content").Body(body...))
}

// sent says what happens to the reading just sent: urgent advice for a red
// one (the same care card as the contact form's screening), a review by
// the practice for an amber one, otherwise that it was sent.
func (p *monitoringPage) sent(r *api.Reading) app.UI {
	l := p.store.L()
	what := l.T("monitoring.sent.what", "Sign", signName(l, r.Sign), "Reading", readingText(*r))
	switch r.Attention {
	case "red":
		return app.Div().ID("sent").Body(
			app.Div().Class("nhsuk-card nhsuk-card--care nhsuk-card--care--urgent").ID("urgent-advice").DataSet("attention", "red").Body(
				app.Div().Class("nhsuk-card__heading-container").Body(
					app.H2().Class("nhsuk-card__heading").Body(
						app.Span().Attr("role", "text").Body(
							app.Span().Class("nhsuk-u-visually-hidden").Text(l.T("contact.urgent.prefix")),
							app.Text(l.T("monitoring.urgent.heading")),
						),
					),
					app.Span().Class("nhsuk-card--care__arrow").Aria("hidden", "true"),
				),
				app.Div().Class("nhsuk-card__content").Body(
					app.P().Text(what+" "+attentionText(l, *r)+"."),
					app.P().Text(l.T("monitoring.urgent.body")),
					app.P().Text(l.T("monitoring.urgent.999")),
					app.P().Text(l.T("monitoring.urgent.sent")),
				),
			))
	case "amber":
		return app.Div().ID("sent").DataSet("attention", "amber").Body(
			successBanner(l.T("monitoring.sent.title"), what),
			app.Div().Class("nhsuk-warning-callout").Body(
				app.H2().Class("nhsuk-warning-callout__label").Body(app.Span().Attr("role", "text").Body(
					app.Span().Class("nhsuk-u-visually-hidden").Text(l.T("monitoring.important")+": "),
					app.Text(l.T("monitoring.amber.heading")))),
				app.P().Text(attentionText(l, *r)+". "+l.T("monitoring.amber.body")),
			))
	}
	return app.Div().ID("sent").DataSet("attention", "none").Body(successBanner(l.T("monitoring.sent.title"), what))
}

// form is the page for sending one reading: a field for each number with
// its unit, when it was taken, an optional note.
func (p *monitoringPage) form(v *api.Monitoring, f *api.ReadingForm) []app.UI {
	l := p.store.L()
	var ps api.PlanSign
	if v.Plan != nil {
		for _, s := range v.Plan.Signs {
			if s.Sign == f.Sign {
				ps = s
			}
		}
	}
	fields := []app.UI{}
	for i, part := range ps.Parts {
		field, label := "value", signName(l, ps.Sign)
		if part.Name != "" {
			field, label = part.Name, labelled(p.store, partKeys, part.Name, key("monitoring.sign.other"))
		}
		value := ""
		if i < len(f.Values) {
			value = f.Values[i]
		}
		fields = append(fields, numberField(p.store, v.Errors, field, label, ps.Unit, part, value))
	}
	when := radios(p.store, v.Errors, "when", l.T("monitoring.when.legend"),
		[]choice{{value: "now", label: l.T("monitoring.when.now")}, {value: "earlier", label: l.T("monitoring.when.earlier")}}, f.When)
	return []app.UI{
		backLink("/monitoring", l.T("monitoring.back")),
		formSummary(p.store, v.Errors),
		app.Span().Class("nhsuk-caption-l").Text(v.Patient),
		app.H1().Text(p.Title()),
		app.Form().Action("/monitoring/"+attr(f.Sign)).Method("post").Attr("novalidate", true).Body(
			app.Input().Type("hidden").Name("idempotency_key").Value(attr(f.Key)),
			app.Div().Body(fields...),
			when,
			timeField(p.store, v.Errors, f.Time),
			textareaField(p.store, v.Errors, "note", l.T("monitoring.note.label"), l.T("monitoring.note.hint"), f.Note, 3),
			app.Button().Class("nhsuk-button").Type("submit").Text(l.T("monitoring.send.submit")),
		),
	}
}

// numberField is one number of a reading with its unit beside it (and in
// the hint, for screen readers) and the range it must be in.
func numberField(s *Store, errs []api.FieldError, field, label, unit string, part api.SignPart, value string) app.UI {
	l := s.L()
	msg, errUI := fieldError(s, errs, field)
	u, _ := UnitText(unit)
	mode := "numeric"
	if part.Decimals > 0 {
		mode = "decimal"
	}
	hint := l.T("monitoring.value.hint", "Unit", u)
	input := app.Input().Class("nhsuk-input nhsuk-input--width-4").ID(field+"-0").Name(field).Type("text").
		Attr("inputmode", mode).Attr("autocomplete", "off").Attr("spellcheck", "false").Value(attr(value)).Aria("describedby", field+"-hint")
	group := app.Div().Class("nhsuk-form-group")
	if msg != "" {
		group = group.Class("nhsuk-form-group--error")
		input = input.Class("nhsuk-input--error").Aria("describedby", field+"-hint "+field+"-error")
	}
	return group.Body(
		el.Label().Class("nhsuk-label nhsuk-label--s").Attr("for", field+"-0").Text(label),
		app.Div().Class("nhsuk-hint").ID(field+"-hint").Text(hint),
		errUI,
		app.Div().Class("nhsuk-input-wrapper").Body(
			input,
			app.Div().Class("nhsuk-input__suffix").Aria("hidden", "true").Text(u),
		),
	)
}

// timeField is the time a reading was taken today, when not just now.
func timeField(s *Store, errs []api.FieldError, value string) app.UI {
	l := s.L()
	msg, errUI := fieldError(s, errs, "time")
	input := app.Input().Class("nhsuk-input nhsuk-input--width-5").ID("time-0").Name("time").Type("text").
		Attr("inputmode", "numeric").Attr("autocomplete", "off").Value(attr(value)).Aria("describedby", "time-hint")
	group := app.Div().Class("nhsuk-form-group")
	if msg != "" {
		group = group.Class("nhsuk-form-group--error")
		input = input.Class("nhsuk-input--error").Aria("describedby", "time-hint time-error")
	}
	return group.Body(
		el.Label().Class("nhsuk-label nhsuk-label--s").Attr("for", "time-0").Text(l.T("monitoring.time.label")),
		app.Div().Class("nhsuk-hint").ID("time-hint").Text(l.T("monitoring.time.hint")),
		errUI,
		input,
	)
}

// formatDay is the UK calendar day of a time in Unix ms, as formatDate
// shows it.
func formatDay(l *i18n.Localizer, ms int64) string {
	return formatDate(l, time.UnixMilli(ms).In(ukTime()).Format(time.DateOnly))
}
