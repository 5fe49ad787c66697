package ui

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/nhs-companion/companion/app/api"
)

// orderPage is ordering repeat medicines, one question per page: which
// medicines, a note (the reason, when any is early), which pharmacy, then
// check and send. Every step is a plain form, so it works without
// WebAssembly; the server keeps the answers between steps, so the note never
// travels in a URL.
type orderPage struct {
	app.Compo
	store *Store
}

// OrderPage builds the ordering pages from the server's state.
func OrderPage(s *Store) Page { return &orderPage{store: s} }

// Title is the page title: the step's question.
func (p *orderPage) Title() string {
	l := p.store.L()
	f := p.store.State.Order
	if f == nil {
		return l.T("rx.order")
	}
	switch f.Step {
	case api.OrderNote:
		if len(f.Early) > 0 {
			return l.T("rx.note.earlyTitle", "Medicines", listText(l, f.Early))
		}
		return l.T("rx.note.title")
	case api.OrderPharmacy:
		return l.T("rx.choose.title")
	case api.OrderCheck:
		return l.T("rx.check.title")
	}
	return l.T("rx.medicines.title")
}

// Render draws the step.
func (p *orderPage) Render() app.UI {
	f := p.store.State.Order
	if f == nil {
		return &shell{Store: p.store, PageTitle: p.Title(), Content: []app.UI{app.H1().Text(p.Title())}}
	}
	var content []app.UI
	switch f.Step {
	case api.OrderNote:
		content = p.note(f)
	case api.OrderPharmacy:
		content = p.pharmacy(f)
	case api.OrderCheck:
		content = p.check(f)
	default:
		content = p.medicines(f)
	}
	return &shell{Store: p.store, PageTitle: p.Title(), Content: content}
}

func (p *orderPage) caption(f *api.OrderForm) app.UI {
	return app.Span().Class("nhsuk-caption-l").Text(p.store.L().T("rx.for", "Name", f.Patient))
}

// form is a step's form, posting the step's name with its fields.
func (p *orderPage) form(step api.OrderStep, body ...app.UI) app.UI {
	fields := append([]app.UI{app.Input().Type("hidden").Name("step").Value(string(step))}, body...)
	return app.Form().Action("/prescriptions/order").Method("post").Attr("novalidate", true).Body(fields...)
}

func (p *orderPage) medicines(f *api.OrderForm) []app.UI {
	l := p.store.L()
	msg, errUI := fieldError(p.store, f.Errors, "medicines")
	var items, blocked []app.UI
	for _, rp := range f.Repeats {
		if !rp.Orderable() {
			blocked = append(blocked, app.Li().Body(el.Strong().Text(rp.Name), app.Text(": "+repeatStateText(l, rp, "", "", 0))))
			continue
		}
		id := "medicines-" + itoa(len(items))
		hint := rp.Dose + " " + l.T("rx.medicines.quantity", "Quantity", rp.Quantity)
		if rp.State == "early" {
			hint += " " + l.T("rx.medicines.early", "Due", formatDate(l, rp.Due))
		}
		checked := false
		for _, s := range f.Selected {
			checked = checked || s == rp.ID
		}
		items = append(items, app.Div().Class("nhsuk-checkboxes__item").DataSet("state", attr(rp.State)).Body(
			checkedIf(app.Input().Class("nhsuk-checkboxes__input").ID(id).Name("medicine").Type("checkbox").Value(attr(rp.ID)).
				Aria("describedby", id+"-hint"), checked),
			el.Label().Class("nhsuk-label nhsuk-checkboxes__label").Attr("for", id).Text(rp.Name),
			app.Div().Class("nhsuk-hint nhsuk-checkboxes__hint").ID(id+"-hint").Text(hint),
		))
	}
	content := []app.UI{backLink("/prescriptions", l.T("form.back")), formSummary(p.store, f.Errors)}
	if len(items) == 0 {
		content = append(content, p.caption(f), app.H1().Text(p.Title()), app.P().Text(l.T("rx.medicines.noneOrderable")))
	} else {
		group := app.Div().Class("nhsuk-form-group")
		if msg != "" {
			group = group.Class("nhsuk-form-group--error")
		}
		fieldset := el.FieldSet().Class("nhsuk-fieldset").Aria("describedby", "medicines-hint").Body(
			el.Legend().Class("nhsuk-fieldset__legend nhsuk-fieldset__legend--l").Body(
				p.caption(f), app.H1().Class("nhsuk-fieldset__heading").Text(p.Title()),
			),
			app.Div().Class("nhsuk-hint").ID("medicines-hint").Text(l.T("rx.medicines.hint")),
			errUI,
			app.Div().Class("nhsuk-checkboxes").Body(items...),
		)
		if msg != "" {
			fieldset = fieldset.Aria("describedby", "medicines-hint medicines-error")
		}
		content = append(content, p.form(api.OrderMedicines, group.Body(fieldset),
			app.Button().Class("nhsuk-button").Type("submit").Text(l.T("form.continue"))))
	}
	if len(blocked) > 0 {
		content = append(content,
			app.H2().Class("nhsuk-heading-m").Text(l.T("rx.medicines.blocked")),
			el.Ul().Class("nhsuk-list nhsuk-list--bullet").Body(blocked...))
	}
	return content
}

func (p *orderPage) note(f *api.OrderForm) []app.UI {
	l := p.store.L()
	msg, errUI := fieldError(p.store, f.Errors, "note")
	group := app.Div().Class("nhsuk-form-group")
	textarea := textareaOf(f.Note).Class("nhsuk-textarea").ID("note-0").Name("note").Rows(5).Aria("describedby", "note-hint")
	if msg != "" {
		group = group.Class("nhsuk-form-group--error")
		textarea = textarea.Class("nhsuk-textarea--error").Aria("describedby", "note-hint note-error")
	}
	hint := l.T("rx.note.hint", "Max", f.NoteMax)
	if len(f.Early) > 0 {
		hint = l.T("rx.note.earlyHint", "Max", f.NoteMax)
	}
	return []app.UI{
		backLink("/prescriptions/order", l.T("form.back")),
		formSummary(p.store, f.Errors),
		p.form(api.OrderNote,
			group.Body(
				app.H1().Class("nhsuk-label-wrapper").Body(
					el.Label().Class("nhsuk-label nhsuk-label--l").Attr("for", "note-0").Body(p.caption(f), app.Text(p.Title())),
				),
				app.Div().Class("nhsuk-hint").ID("note-hint").Text(hint),
				errUI,
				textarea,
			),
			app.Button().Class("nhsuk-button").Type("submit").Text(l.T("form.continue")),
		),
	}
}

func (p *orderPage) pharmacy(f *api.OrderForm) []app.UI {
	l := p.store.L()
	var options []api.Pharmacy
	if f.Nominated != nil {
		options = append(options, *f.Nominated)
	}
	if f.Pharmacy != nil && (f.Nominated == nil || f.Pharmacy.ODS != f.Nominated.ODS) {
		options = append(options, *f.Pharmacy)
	}
	for _, r := range f.Results {
		if !containsPharmacy(options, r.ODS) {
			options = append(options, r)
		}
	}
	chosen := ""
	switch {
	case f.Pharmacy != nil:
		chosen = f.Pharmacy.ODS
	case f.Nominated != nil:
		chosen = f.Nominated.ODS
	}
	content := []app.UI{
		backLink(api.OrderURL(api.OrderNote), l.T("form.back")),
		formSummary(p.store, onSearch(f.Errors, len(options) > 0)),
		p.caption(f),
		app.H1().Text(p.Title()),
	}
	if f.Nominated == nil {
		content = append(content, app.P().Text(l.T("rx.choose.noNominated")))
	}
	if len(options) > 0 {
		content = append(content, p.form(api.OrderPharmacy,
			pharmacyRadios(p.store, f.Errors, options, chosen, f.Nominated, l.T("rx.choose.legend")),
			app.Button().Class("nhsuk-button").Type("submit").Text(l.T("form.continue")),
		))
	}
	return append(content, pharmacySearch(p.store, "/prescriptions/order", map[string]string{"step": string(api.OrderPharmacy)}, f.Query, f.Searched, len(f.Results), onSearch(f.Errors, len(options) > 0)))
}

func containsPharmacy(list []api.Pharmacy, ods string) bool {
	for _, x := range list {
		if x.ODS == ods {
			return true
		}
	}
	return false
}

func (p *orderPage) check(f *api.OrderForm) []app.UI {
	l := p.store.L()
	var meds []app.UI
	for _, id := range f.Selected {
		for _, rp := range f.Repeats {
			if rp.ID == id {
				meds = append(meds, app.Li().Text(rp.Name+" ("+rp.Quantity+")"))
			}
		}
	}
	note := f.Note
	if note == "" {
		note = l.T("rx.check.noNote")
	}
	var pharmacy app.UI = app.Text("")
	if f.Pharmacy != nil {
		pharmacy = pharmacyAddress(f.Pharmacy)
	}
	return []app.UI{
		backLink(api.OrderURL(api.OrderPharmacy), l.T("form.back")),
		formSummary(p.store, f.Errors),
		p.caption(f),
		app.H1().Text(p.Title()),
		el.Dl().Class("nhsuk-summary-list").Body(
			checkRow(l.T("rx.check.patient"), app.Text(f.Patient), nil),
			checkRow(l.T("rx.check.medicines"), el.Ul().Class("nhsuk-list").Body(meds...), changeLink(l, "/prescriptions/order", l.T("rx.check.medicines"))),
			checkRow(l.T("rx.check.note"), app.Text(note), changeLink(l, api.OrderURL(api.OrderNote), l.T("rx.check.note"))),
			checkRow(l.T("rx.check.pharmacy"), pharmacy, changeLink(l, api.OrderURL(api.OrderPharmacy), l.T("rx.check.pharmacy"))),
		),
		p.form(api.OrderCheck,
			app.Input().Type("hidden").Name("idempotency_key").Value(attr(f.IdempotencyKey)),
			app.Button().Class("nhsuk-button").ID("check-0").Type("submit").Text(l.T("rx.check.submit")),
		),
	}
}
