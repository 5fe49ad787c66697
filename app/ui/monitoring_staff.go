package ui

import (
	"strconv"
	"strings"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/nhs-companion/companion/app/api"
)

// boardPage is a practice's patients on monitoring plans, for its staff:
// who needs attention first (an unreviewed red reading, then amber, then
// an overdue one), one patient's readings and charts with the review
// button, and the plan form.
type boardPage struct {
	app.Compo
	store *Store
}

func newBoardPage(s *Store) Page { return &boardPage{store: s} }

// limitKeys label a part's four thresholds, in the plan form's order.
var limitKeys = [4]string{key("monitoring.plan.redLow"), key("monitoring.plan.amberLow"), key("monitoring.plan.amberHigh"), key("monitoring.plan.redHigh")}

// limitNames are the plan form's names of the four thresholds.
var limitNames = [4]string{"red_low", "amber_low", "amber_high", "red_high"}

// intervals are the hours a plan may ask for a reading every.
var intervals = []int{4, 6, 8, 12, 24, 48, 168}

// Title is the page title: the patient's name when one is open.
func (p *boardPage) Title() string {
	if b := p.store.State.MonitoringBoard; b != nil && b.Open != nil {
		return b.Open.Name
	}
	return p.store.L().T("monitoring.board.title")
}

// Render draws the page.
func (p *boardPage) Render() app.UI {
	l := p.store.L()
	b := p.store.State.MonitoringBoard
	if b == nil {
		return &shell{Store: p.store, PageTitle: p.Title(), Content: []app.UI{app.H1().Text(p.Title())}}
	}
	if b.Open != nil {
		return &shell{Store: p.store, PageTitle: p.Title(), Content: p.patient(b, b.Open)}
	}
	content := []app.UI{
		backLink("/admin", l.T("form.back")),
		formSummary(p.store, b.Errors),
		app.Span().Class("nhsuk-caption-l").Text(b.PracticeName),
		app.H1().Text(p.Title()),
	}
	if len(b.Patients) == 0 {
		content = append(content, app.P().Text(l.T("monitoring.board.none")))
	}
	items := make([]app.UI, 0, len(b.Patients))
	for _, m := range b.Patients {
		items = append(items, p.row(b, m))
	}
	content = append(content, el.Ul().Class("nhsuk-list companion-board").Body(items...))
	return &shell{Store: p.store, PageTitle: p.Title(), Content: append(content, p.planForm(b))}
}

// standing is what a patient needs of the practice, as a tag with words.
func (p *boardPage) standing(m api.MonitoredPatient) app.UI {
	l := p.store.L()
	switch {
	case m.Attention == "red":
		return el.Strong().Class("nhsuk-tag nhsuk-tag--red").Text(l.T("monitoring.board.red"))
	case m.Attention == "amber":
		return el.Strong().Class("nhsuk-tag nhsuk-tag--orange").Text(l.T("monitoring.board.amber"))
	case m.Moved:
		return el.Strong().Class("nhsuk-tag nhsuk-tag--grey").Text(l.T("monitoring.board.moved"))
	case len(m.Missed) > 0:
		names := make([]string, 0, len(m.Missed))
		for _, s := range m.Missed {
			names = append(names, strings.ToLower(signName(l, s)))
		}
		return el.Strong().Class("nhsuk-tag nhsuk-tag--yellow").Text(l.T("monitoring.board.overdue", "Signs", strings.Join(names, ", ")))
	}
	return el.Strong().Class("nhsuk-tag nhsuk-tag--grey").Text(l.T("monitoring.board.fine"))
}

func monitoredHref(practice, pid string) string {
	return "/admin/monitoring/patients/" + attr(pid) + "?practice=" + attr(practice)
}

// row is one patient on the board.
func (p *boardPage) row(b *api.MonitoringBoard, m api.MonitoredPatient) app.UI {
	l := p.store.L()
	body := []app.UI{
		app.H2().Class("nhsuk-card__heading nhsuk-heading-s").Body(
			app.A().Class("nhsuk-card__link").Href(monitoredHref(b.Practice, m.Patient)).Text(m.Name)),
		app.P().Class("nhsuk-card__description").Text(l.T("monitoring.board.born", "Date", formatDate(l, m.BirthDate))),
		app.P().Body(p.standing(m)),
	}
	for _, r := range m.Readings {
		body = append(body, app.P().Class("nhsuk-body-s").Text(signName(l, r.Sign)+": "+readingText(r)+", "+
			formatTime(l, r.Taken)+". "+attentionText(l, r)+"."))
	}
	return app.Li().Class("nhsuk-card nhsuk-card--clickable").DataSet("patient", attr(m.Patient)).DataSet("attention", attr(m.Attention)).
		Body(app.Div().Class("nhsuk-card__content").Body(body...))
}

// patient is one patient's page: their standing, the review button, every
// reading, the charts and the plan form.
func (p *boardPage) patient(b *api.MonitoringBoard, m *api.MonitoredPatient) []app.UI {
	l := p.store.L()
	content := []app.UI{backLink("/admin/monitoring?practice="+attr(b.Practice), l.T("monitoring.board.back"))}
	switch b.Saved {
	case "plan":
		content = append(content, successBanner(l.T("form.success"), l.T("monitoring.plan.saved")))
	case "review":
		content = append(content, successBanner(l.T("form.success"), l.T("monitoring.board.reviewedNow")))
	}
	content = append(content,
		formSummary(p.store, b.Errors),
		app.Span().Class("nhsuk-caption-l").Text(b.PracticeName),
		app.H1().Text(m.Name),
		app.P().Text(l.T("monitoring.board.born", "Date", formatDate(l, m.BirthDate))),
		app.P().Body(p.standing(*m)),
	)
	if m.Reviewed != 0 {
		content = append(content, app.P().Class("nhsuk-body-s").Text(l.T("monitoring.board.reviewed", "When", formatTime(l, m.Reviewed), "Who", m.ReviewedBy)))
	}
	newest := int64(0)
	for _, r := range m.Readings {
		newest = max(newest, r.Submitted)
	}
	content = append(content, app.Form().Action("/admin/monitoring/patients/"+attr(m.Patient)+"/review").Method("post").Body(
		app.Input().Type("hidden").Name("practice").Value(attr(b.Practice)),
		app.Input().Type("hidden").Name("up_to").Value(strconv.FormatInt(newest, 10)),
		app.Button().Class("nhsuk-button nhsuk-button--secondary").Type("submit").Text(l.T("monitoring.board.review")),
	))
	rows := make([]app.UI, 0, len(m.Readings))
	for _, r := range m.Readings {
		who := l.T("monitoring.table.patient")
		if r.ByProxy {
			who = l.T("monitoring.table.proxy")
		}
		rows = append(rows, tr(formatTime(l, r.Taken), signName(l, r.Sign), readingText(r), attentionText(l, r), who, r.Note))
	}
	content = append(content, app.H2().Text(l.T("monitoring.board.readings")))
	if len(rows) == 0 {
		content = append(content, app.P().Text(l.T("monitoring.noneYet")))
	} else {
		content = append(content, table(l.T("monitoring.board.readings"), []string{l.T("monitoring.table.when"), l.T("monitoring.table.sign"),
			l.T("monitoring.table.reading"), l.T("monitoring.table.compared"), l.T("monitoring.table.by"), l.T("monitoring.table.note")}, rows))
	}
	if m.Plan != nil {
		content = append(content, monitoringCharts(p.store, m.Plan, m.Readings)...)
	}
	return append(content, p.planForm(b))
}

// planForm puts a patient on a plan in two steps: their NHS number, then,
// with the patient named from the GP record, the plan itself.
func (p *boardPage) planForm(b *api.MonitoringBoard) app.UI {
	l := p.store.L()
	f := b.Form
	hidden := app.Input().Type("hidden").Name("practice").Value(attr(b.Practice))
	if f == nil || f.Name == "" {
		nhsNumber := ""
		if f != nil {
			nhsNumber = f.NHSNumber
		}
		msg, errUI := fieldError(p.store, b.Errors, "nhs_number")
		group, input := app.Div().Class("nhsuk-form-group"), app.Input().Class("nhsuk-input nhsuk-input--width-10").ID("nhs_number-0").
			Name("nhs_number").Type("text").Attr("inputmode", "numeric").Attr("autocomplete", "off").Value(attr(nhsNumber))
		if msg != "" {
			group, input = group.Class("nhsuk-form-group--error"), input.Class("nhsuk-input--error").Aria("describedby", "nhs_number-error")
		}
		return app.Form().ID("plan").Action("/admin/monitoring/plan").Method("post").Attr("novalidate", true).Body(
			app.H2().Text(l.T("monitoring.plan.new")),
			hidden, app.Input().Type("hidden").Name("step").Value("check"),
			group.Body(el.Label().Class("nhsuk-label").Attr("for", "nhs_number-0").Text(l.T("monitoring.plan.nhsNumber")), errUI, input),
			app.Button().Class("nhsuk-button").Type("submit").Text(l.T("monitoring.plan.check")),
		)
	}
	signs := make([]app.UI, 0, len(f.Signs))
	for i, fs := range f.Signs {
		signs = append(signs, p.signFields(b, i, fs))
	}
	msg, errUI := fieldError(p.store, b.Errors, "days")
	days := app.Div().Class("nhsuk-form-group")
	daysInput := app.Input().Class("nhsuk-input nhsuk-input--width-3").ID("days-0").Name("days").Type("text").Attr("inputmode", "numeric").Value(attr(f.Days))
	if msg != "" {
		days, daysInput = days.Class("nhsuk-form-group--error"), daysInput.Class("nhsuk-input--error").Aria("describedby", "days-error")
	}
	signsMsg, signsErr := fieldError(p.store, b.Errors, "sign")
	signsGroup := app.Div().Class("nhsuk-form-group")
	if signsMsg != "" {
		signsGroup = signsGroup.Class("nhsuk-form-group--error")
	}
	return app.Form().ID("plan").Action("/admin/monitoring/plan").Method("post").Attr("novalidate", true).Body(
		app.H2().Text(l.T("monitoring.plan.heading")),
		app.Div().Class("nhsuk-inset-text").ID("plan-patient").Body(
			app.Span().Class("nhsuk-u-visually-hidden").Text(l.T("shell.information")),
			app.P().Text(l.T("monitoring.plan.for", "Name", f.Name, "Date", formatDate(l, f.BirthDate))),
		),
		hidden, app.Input().Type("hidden").Name("step").Value("save"),
		app.Input().Type("hidden").Name("nhs_number").Value(attr(f.NHSNumber)),
		signsGroup.Body(el.FieldSet().Class("nhsuk-fieldset").Body(
			el.Legend().Class("nhsuk-fieldset__legend nhsuk-fieldset__legend--s").Text(l.T("monitoring.plan.signs")),
			signsErr,
			app.Div().Body(signs...),
		)),
		days.Body(el.Label().Class("nhsuk-label").Attr("for", "days-0").Text(l.T("monitoring.plan.days")), errUI, daysInput),
		app.Button().Class("nhsuk-button").Type("submit").Text(l.T("monitoring.plan.save")),
	)
}

// signFields are one reading on the plan form: whether it is asked for,
// how often, and each part's thresholds.
func (p *boardPage) signFields(b *api.MonitoringBoard, i int, fs api.PlanFormSign) app.UI {
	l := p.store.L()
	name := signName(l, fs.Sign)
	box := app.Input().Class("nhsuk-checkboxes__input").ID("sign-" + strconv.Itoa(i)).Name("sign").Type("checkbox").Value(attr(fs.Sign)).Checked(fs.Chosen)
	every := "every-" + fs.Sign
	options := make([]app.UI, 0, len(intervals))
	for _, h := range intervals {
		options = append(options, app.Option().Value(strconv.Itoa(h)).Selected(strconv.Itoa(h) == fs.EveryHours).Text(l.N("monitoring.every", h)))
	}
	msg, errUI := fieldError(p.store, b.Errors, every)
	everyGroup := app.Div().Class("nhsuk-form-group")
	if msg != "" {
		everyGroup = everyGroup.Class("nhsuk-form-group--error")
	}
	body := []app.UI{
		app.Div().Class("nhsuk-checkboxes").Body(app.Div().Class("nhsuk-checkboxes__item").Body(
			box, el.Label().Class("nhsuk-label nhsuk-checkboxes__label").Attr("for", "sign-"+strconv.Itoa(i)).Text(name))),
		everyGroup.Body(
			el.Label().Class("nhsuk-label").Attr("for", every+"-0").Text(l.T("monitoring.plan.every", "Sign", strings.ToLower(name))),
			errUI,
			app.Select().Class("nhsuk-select").ID(every+"-0").Name(every).Body(options...),
		),
	}
	unit, _ := UnitText(fs.Unit)
	for j, part := range fs.Parts {
		partName := name
		if part != "" {
			partName = labelled(p.store, partKeys, part, key("monitoring.sign.other"))
		}
		for k := range limitNames {
			field := fs.Sign + "-" + strconv.Itoa(j) + "-" + limitNames[k]
			value := ""
			if j < len(fs.Limits) {
				value = fs.Limits[j][k]
			}
			msg, errUI := fieldError(p.store, b.Errors, field)
			group := app.Div().Class("nhsuk-form-group companion-limit")
			input := app.Input().Class("nhsuk-input nhsuk-input--width-4").ID(field+"-0").Name(field).Type("text").Attr("inputmode", "decimal").Value(attr(value))
			if msg != "" {
				group, input = group.Class("nhsuk-form-group--error"), input.Class("nhsuk-input--error").Aria("describedby", field+"-error")
			}
			body = append(body, group.Body(
				el.Label().Class("nhsuk-label nhsuk-label--s").Attr("for", field+"-0").Text(l.T(limitKeys[k], "Part", partName, "Unit", unit)),
				errUI, input))
		}
	}
	return app.Div().Class("companion-plan-sign").DataSet("sign", attr(fs.Sign)).Body(body...)
}

// inboxReadings heads a practice's inbox with its monitored patients whose
// readings need review, red first (nil when none do).
func inboxReadings(s *Store, b *api.Inbox) app.UI {
	l := s.L()
	if b.ReadingsUnavailable {
		return app.Div().ID("inbox-readings").Body(app.H2().Text(l.T("monitoring.inbox.heading")),
			app.P().Text(l.T("monitoring.inbox.unavailable")),
			app.P().Body(app.A().Href("/admin/monitoring?practice="+attr(b.Practice)).Text(l.T("monitoring.inbox.all"))))
	}
	if len(b.Readings) == 0 {
		return nil
	}
	page := &boardPage{store: s}
	board := &api.MonitoringBoard{Practice: b.Practice}
	items := make([]app.UI, 0, len(b.Readings))
	for _, m := range b.Readings {
		items = append(items, page.row(board, m))
	}
	return app.Div().ID("inbox-readings").Body(
		app.H2().Text(l.T("monitoring.inbox.heading")),
		el.Ul().Class("nhsuk-list companion-board").Body(items...),
		app.P().Body(app.A().Href("/admin/monitoring?practice="+attr(b.Practice)).Text(l.T("monitoring.inbox.all"))),
	)
}
