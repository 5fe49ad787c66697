package ui

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// pickerPage is the sandbox NHS login's account picker: it lists the sandbox
// cast as radio buttons. It is the identity provider's page, served without
// the WebAssembly app.
type pickerPage struct {
	app.Compo
	store *Store
}

func newPickerPage(s *Store) Page { return &pickerPage{store: s} }

// Title is the page title.
func (p *pickerPage) Title() string { return p.store.L().T("picker.title") }

// Render draws the page.
func (p *pickerPage) Render() app.UI {
	l := p.store.L()
	pk := p.store.State.Picker
	if pk == nil {
		return &shell{Store: p.store, PageTitle: p.Title(), Content: []app.UI{app.H1().Text(p.Title())}}
	}
	group := app.Div().Class("nhsuk-form-group")
	var errSummary app.UI
	if pk.Invalid {
		group = group.Class("nhsuk-form-group--error")
		errSummary = app.Div().Class("nhsuk-error-summary").Aria("labelledby", "error-summary-title").Attr("role", "alert").TabIndex(-1).Body(
			app.H2().Class("nhsuk-error-summary__title").ID("error-summary-title").Text(l.T("form.errorSummary")),
			app.Div().Class("nhsuk-error-summary__body").Body(
				el.Ul().Class("nhsuk-list nhsuk-error-summary__list").Body(
					app.Li().Body(app.A().Href("#account-0").Text(l.T("picker.error"))),
				),
			),
		)
	}
	radios := make([]app.UI, 0, len(pk.Accounts))
	for i, a := range pk.Accounts {
		id := "account-" + itoa(i)
		radios = append(radios, app.Div().Class("nhsuk-radios__item").Body(
			app.Input().Class("nhsuk-radios__input").ID(id).Name("account").Type("radio").Value(attr(a.Value)).
				Aria("describedby", id+"-hint"),
			el.Label().Class("nhsuk-label nhsuk-radios__label").Attr("for", id).Text(a.Name),
			app.Div().Class("nhsuk-hint nhsuk-radios__hint").ID(id+"-hint").Text(a.Description),
		))
	}
	hidden := make([]app.UI, 0, len(pk.Params))
	for _, k := range sortedKeys(pk.Params) {
		hidden = append(hidden, app.Input().Type("hidden").Name(k).Value(attr(pk.Params[k])))
	}
	fieldset := el.FieldSet().Class("nhsuk-fieldset").Aria("describedby", "picker-hint").Body(
		el.Legend().Class("nhsuk-fieldset__legend nhsuk-fieldset__legend--l").Body(
			app.H1().Class("nhsuk-fieldset__heading").Text(p.Title()),
		),
		app.Div().Class("nhsuk-hint").ID("picker-hint").Text(l.T("picker.hint")),
		app.If(pk.Invalid, app.Span().Class("nhsuk-error-message").ID("account-error").Body(
			app.Span().Class("nhsuk-u-visually-hidden").Text(l.T("form.errorPrefix")),
			app.Text(l.T("picker.error")),
		)),
		app.Div().Class("nhsuk-radios").Body(radios...),
	)
	return &shell{Store: p.store, PageTitle: p.Title(), Content: []app.UI{
		errSummary,
		app.Div().Class("nhsuk-warning-callout").Body(
			app.H2().Class("nhsuk-warning-callout__label").Body(app.Span().Attr("role", "text").Text(l.T("picker.sandbox.heading"))),
			app.P().Text(l.T("picker.sandbox.body")),
		),
		app.Form().Action(attr(pk.Action)).Method("post").Attr("novalidate", true).Body(
			append(hidden, group.Body(fieldset),
				app.Button().Class("nhsuk-button").Type("submit").Text(l.T("picker.continue")))...,
		),
	}}
}
