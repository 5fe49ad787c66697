package ui

import (
	"net/url"
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/nhs-companion/companion/app/api"
)

// bookingPage is booking an appointment, one question per page (the NHS
// "question pages" pattern): type, day, time, then check answers. Every step
// is a plain form, so it works without WebAssembly, and names the patient.
type bookingPage struct {
	app.Compo
	store *Store
}

// BookingPage builds the booking page from the state the server rendered.
func BookingPage(s *Store) Page { return &bookingPage{store: s} }

// Title is the page title: the step's question.
func (p *bookingPage) Title() string {
	l := p.store.L()
	b := p.store.State.Booking
	if b == nil {
		return l.T("book.title")
	}
	switch b.Step {
	case api.BookDay:
		return l.T("book.day.title")
	case api.BookTime:
		return l.T("book.time.title")
	case api.BookCheck:
		if b.Change != nil {
			return l.T("change.check.title")
		}
		return l.T("book.check.title")
	case api.BookQueued:
		return l.T("queue.title")
	}
	return l.T("book.type.title")
}

// Render draws the step.
func (p *bookingPage) Render() app.UI {
	b := p.store.State.Booking
	if b == nil {
		return &shell{Store: p.store, PageTitle: p.Title(), Content: []app.UI{app.H1().Text(p.Title())}}
	}
	var content []app.UI
	switch b.Step {
	case api.BookDay:
		content = p.day(b)
	case api.BookTime:
		content = p.time(b)
	case api.BookCheck:
		content = p.check(b)
	case api.BookQueued:
		content = p.queued(b)
	default:
		content = p.types(b)
	}
	return &shell{Store: p.store, PageTitle: p.Title(), Content: content}
}

// caption names who the appointment is for, above every question.
func (p *bookingPage) caption(b *api.Booking) app.UI {
	k := key("book.for")
	if b.Change != nil {
		k = key("change.for")
	}
	return app.Span().Class("nhsuk-caption-l").Text(p.store.L().T(k, "Name", b.Patient))
}

// url is a step of booking b: q, and the appointment whose time is being
// changed, if it is.
func (p *bookingPage) url(b *api.Booking, q url.Values) string {
	if b.Change != nil {
		q.Set("change", b.Change.ID)
		q.Del("type") // the appointment's own
	}
	return bookURL(q)
}

// carried are the answers a step's form carries forward.
func carried(b *api.Booking, q map[string]string) map[string]string {
	if b.Change != nil {
		q["change"] = b.Change.ID
		delete(q, "type")
	}
	return q
}

func backLink(href, label string) app.UI {
	return app.Div().Class("nhsuk-back-link").Body(
		app.A().Class("nhsuk-back-link__link").Href(attr(href)).Text(label),
	)
}

func bookURL(q url.Values) string {
	return (&url.URL{Path: "/appointments/book", RawQuery: q.Encode()}).String()
}

// summary renders the error summary for a step's errors.
func (p *bookingPage) summary(b *api.Booking) app.UI { return formSummary(p.store, b.Errors) }

func (p *bookingPage) fieldError(b *api.Booking, field string) (string, app.UI) {
	return fieldError(p.store, b.Errors, field)
}

// formSummary is the error summary of a form page, linking to the first
// field in error (its first input has the id field-0).
func formSummary(s *Store, errs []api.FieldError) app.UI {
	if len(errs) == 0 {
		return nil
	}
	e := errs[0]
	return errorSummary(s.L().T("form.errorSummary"), "#"+e.Field+"-0", e.Message)
}

// fieldError is a field's error message and its markup, if it has one.
func fieldError(s *Store, errs []api.FieldError, field string) (string, app.UI) {
	for _, e := range errs {
		if e.Field == field {
			return e.Message, app.Span().Class("nhsuk-error-message").ID(field+"-error").Body(
				app.Span().Class("nhsuk-u-visually-hidden").Text(s.L().T("form.errorPrefix")),
				app.Text(e.Message),
			)
		}
	}
	return "", nil
}

type choice struct{ value, label, hint string }

// radioQuestion is a question page: a fieldset whose legend is the page's
// h1, radios, hidden fields carried forward and a Continue button.
func (p *bookingPage) radioQuestion(b *api.Booking, field string, choices []choice, hidden map[string]string, empty string) []app.UI {
	l := p.store.L()
	msg, errUI := p.fieldError(b, field)
	group := app.Div().Class("nhsuk-form-group")
	if msg != "" {
		group = group.Class("nhsuk-form-group--error")
	}
	items := radioItems(field, choices, "")
	var fields []app.UI
	for _, k := range sortedKeys(hidden) {
		fields = append(fields, app.Input().Type("hidden").Name(k).Value(attr(hidden[k])))
	}
	legend := el.Legend().Class("nhsuk-fieldset__legend nhsuk-fieldset__legend--l").Body(
		p.caption(b),
		app.H1().Class("nhsuk-fieldset__heading").Text(p.Title()),
	)
	if len(choices) == 0 {
		return []app.UI{p.summary(b), p.caption(b), app.H1().Text(p.Title()), app.P().Text(empty)}
	}
	fieldset := el.FieldSet().Class("nhsuk-fieldset").Body(legend, errUI, app.Div().Class("nhsuk-radios").Body(items...))
	if msg != "" {
		fieldset = fieldset.Aria("describedby", field+"-error")
	}
	fields = append(fields, group.Body(fieldset), app.Button().Class("nhsuk-button").Type("submit").Text(l.T("form.continue")))
	return []app.UI{
		p.summary(b),
		app.Form().Action("/appointments/book").Method("get").Attr("novalidate", true).Body(fields...),
	}
}

func (p *bookingPage) types(b *api.Booking) []app.UI {
	l := p.store.L()
	choices := make([]choice, 0, len(b.Types))
	for _, t := range b.Types {
		choices = append(choices, choice{t, SlotTypeName(l, t), labelled(p.store, slotTypeHintKeys, t, key("book.type.hint.gp"))})
	}
	return append([]app.UI{backLink("/appointments", l.T("form.back"))}, p.radioQuestion(b, "type", choices, nil, "")...)
}

func (p *bookingPage) day(b *api.Booking) []app.UI {
	l := p.store.L()
	choices := make([]choice, 0, len(b.Days))
	for _, d := range b.Days {
		t, err := time.Parse(time.DateOnly, d.Date)
		if err != nil {
			continue
		}
		label := l.T("date.weekdayDate", "Weekday", l.T(weekdayKeys[t.Weekday()]), "Day", t.Day(), "Month", l.T(monthKeys[t.Month()-1]))
		choices = append(choices, choice{d.Date, label, l.N("book.day.free", d.Free)})
	}
	back := backLink(bookURL(url.Values{}), l.T("form.back"))
	if b.Change != nil {
		back = backLink("/appointments/"+b.Change.ID, l.T("form.back"))
	}
	return append([]app.UI{back}, p.radioQuestion(b, "day", choices, carried(b, map[string]string{"type": b.Type}), l.T("book.day.none"))...)
}

func (p *bookingPage) time(b *api.Booking) []app.UI {
	l := p.store.L()
	choices := make([]choice, 0, len(b.Slots))
	for _, s := range b.Slots {
		choices = append(choices, choice{s.ID, clock(s.Start), l.T("book.time.hint", "Clinician", s.Clinician, "Role", s.ClinicianRole, "Mode", ModeName(l, s.Mode))})
	}
	back := backLink(p.url(b, url.Values{"type": {b.Type}}), l.T("form.back"))
	content := []app.UI{back}
	content = append(content, p.radioQuestion(b, "slot", choices, carried(b, map[string]string{"type": b.Type, "day": b.Day}), l.T("book.time.none"))...)
	if len(choices) == 0 {
		content = append(content, app.P().Body(app.A().Href(attr(p.url(b, url.Values{"type": {b.Type}}))).Text(l.T("book.time.otherDay"))))
	}
	return content
}

func (p *bookingPage) check(b *api.Booking) []app.UI {
	if b.Change != nil {
		return p.changeCheck(b)
	}
	l := p.store.L()
	s := b.Slot
	when := formatTime(l, s.Start)
	labelKey := key("book.reason.labelOptional")
	if b.ReasonRequired {
		labelKey = key("book.reason.label")
	}
	return []app.UI{
		backLink(bookURL(url.Values{"type": {b.Type}, "day": {b.Day}}), l.T("form.back")),
		p.summary(b),
		p.caption(b),
		app.H1().Text(p.Title()),
		el.Dl().Class("nhsuk-summary-list").Body(
			checkRow(l.T("book.check.patient"), app.Text(b.Patient), nil),
			checkRow(l.T("book.check.type"), app.Text(SlotTypeName(l, b.Type)), changeLink(l, bookURL(url.Values{}), l.T("book.check.type"))),
			checkRow(l.T("book.check.when"), app.Text(when), changeLink(l, bookURL(url.Values{"type": {b.Type}}), l.T("book.check.when"))),
			checkRow(l.T("book.check.with"), app.Text(s.Clinician+" ("+s.ClinicianRole+")"), nil),
			checkRow(l.T("book.check.how"), app.Text(ModeName(l, s.Mode)), nil),
			app.If(s.Location != "", checkRow(l.T("book.check.where"), app.Text(s.Location), nil)),
		),
		p.held(b),
		app.Form().Action("/appointments/book").Method("post").Attr("novalidate", true).Body(
			app.Input().Type("hidden").Name("slot").Value(attr(s.ID)),
			holdField(b.Hold),
			app.Input().Type("hidden").Name("type").Value(attr(b.Type)),
			app.Input().Type("hidden").Name("day").Value(attr(b.Day)),
			app.Input().Type("hidden").Name("idempotency_key").Value(attr(b.IdempotencyKey)),
			textareaField(p.store, b.Errors, "reason", l.T(labelKey), l.T("book.reason.hint", "Max", b.ReasonMax), b.Reason, 4),
			app.Button().Class("nhsuk-button").Type("submit").Text(l.T("book.check.submit", "Name", b.Patient)),
		),
	}
}

// changeCheck is the check page of a new time for an appointment: the
// time it has now and the new one; its reason stays.
func (p *bookingPage) changeCheck(b *api.Booking) []app.UI {
	l := p.store.L()
	s, old := b.Slot, b.Change.Slot
	return []app.UI{
		backLink(p.url(b, url.Values{"day": {b.Day}}), l.T("form.back")),
		p.summary(b),
		p.caption(b),
		app.H1().Text(p.Title()),
		el.Dl().Class("nhsuk-summary-list").Body(
			checkRow(l.T("book.check.patient"), app.Text(b.Patient), nil),
			checkRow(l.T("book.check.type"), app.Text(SlotTypeName(l, b.Type)), nil),
			checkRow(l.T("change.check.current"), app.Text(formatTime(l, old.Start)), nil),
			checkRow(l.T("change.check.new"), app.Text(formatTime(l, s.Start)), changeLink(l, p.url(b, url.Values{}), l.T("change.check.new"))),
			checkRow(l.T("book.check.with"), app.Text(s.Clinician+" ("+s.ClinicianRole+")"), nil),
			checkRow(l.T("book.check.how"), app.Text(ModeName(l, s.Mode)), nil),
			app.If(s.Location != "", checkRow(l.T("book.check.where"), app.Text(s.Location), nil)),
		),
		p.held(b),
		app.Form().Action("/appointments/book").Method("post").Attr("novalidate", true).Body(
			app.Input().Type("hidden").Name("change").Value(attr(b.Change.ID)),
			app.Input().Type("hidden").Name("slot").Value(attr(s.ID)),
			app.Input().Type("hidden").Name("day").Value(attr(b.Day)),
			app.Input().Type("hidden").Name("idempotency_key").Value(attr(b.IdempotencyKey)),
			holdField(b.Hold),
			app.Button().Class("nhsuk-button").Type("submit").Text(l.T("change.submit")),
		),
		app.P().Body(app.A().Href("/appointments/" + attr(b.Change.ID)).Text(l.T("change.keep"))),
	}
}

// held says until when the chosen time is kept for the person.
func (p *bookingPage) held(b *api.Booking) app.UI {
	if b.Hold == nil {
		return nil
	}
	return app.Div().Class("nhsuk-inset-text").ID("held").Body(
		app.Span().Class("nhsuk-u-visually-hidden").Text(p.store.L().T("shell.information")),
		app.P().Text(p.store.L().T("book.held", "Time", clock(b.Hold.Expires))),
	)
}

// holdField carries the hold on the chosen time to the booking.
func holdField(h *api.SlotHold) app.UI {
	if h == nil {
		return nil
	}
	return app.Input().Type("hidden").Name("hold_id").Value(attr(h.ID))
}

func (p *bookingPage) queued(b *api.Booking) []app.UI {
	l := p.store.L()
	q := b.Queue
	return []app.UI{
		p.caption(b),
		app.H1().Text(p.Title()),
		app.P().Class("nhsuk-lede-text").Attr("role", "status").Text(l.N("queue.ahead", q.Ahead)),
		app.P().Text(l.T("queue.body", "Seconds", q.RetryAfter)),
		app.P().Text(l.T("queue.keep")),
		app.A().Class("nhsuk-button nhsuk-button--secondary").Href(attr(q.Retry)).Attr("role", "button").Attr("draggable", "false").Text(l.T("queue.retry")),
	}
}

// clock is a time of day in UK time ("09:10").
func clock(ms int64) string { return time.UnixMilli(ms).In(ukTime()).Format("15:04") }

var slotTypeKeys = map[string]string{
	"gp":         key("slot.type.gp"),
	"nurse":      key("slot.type.nurse"),
	"blood_test": key("slot.type.blood_test"),
}

var slotTypeHintKeys = map[string]string{
	"gp":         key("book.type.hint.gp"),
	"nurse":      key("book.type.hint.nurse"),
	"blood_test": key("book.type.hint.blood_test"),
}

var modeKeys = map[string]string{
	"in_person": key("slot.mode.in_person"),
	"telephone": key("slot.mode.telephone"),
	"video":     key("slot.mode.video"),
}
