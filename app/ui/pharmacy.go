package ui

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/nhs-companion/companion/app/api"
)

// pharmacyPage changes the patient's nominated pharmacy: the one they have,
// a search by name or postcode, and the pharmacies found.
type pharmacyPage struct {
	app.Compo
	store *Store
}

// PharmacyPage builds the change-pharmacy page from the server's state.
func PharmacyPage(s *Store) Page { return &pharmacyPage{store: s} }

// Title is the page title.
func (p *pharmacyPage) Title() string { return p.store.L().T("rx.pharmacy.title") }

// Render draws the page.
func (p *pharmacyPage) Render() app.UI {
	l := p.store.L()
	v := p.store.State.PharmacyChoice
	if v == nil {
		return &shell{Store: p.store, PageTitle: p.Title(), Content: []app.UI{app.H1().Text(p.Title())}}
	}
	content := []app.UI{
		backLink("/prescriptions", l.T("form.back")),
		formSummary(p.store, onSearch(v.Errors, len(v.Results) > 0)),
		app.Span().Class("nhsuk-caption-l").Text(v.Patient),
		app.H1().Text(p.Title()),
		app.P().Text(l.T("rx.pharmacy.lead")),
	}
	if v.Current != nil {
		content = append(content, app.H2().Class("nhsuk-heading-m").Text(l.T("rx.pharmacy.current")), pharmacyAddress(v.Current))
	} else {
		content = append(content, app.P().Text(l.T("rx.pharmacy.none")))
	}
	content = append(content, pharmacySearch(p.store, "/prescriptions/pharmacy", nil, v.Query, v.Searched, len(v.Results), onSearch(v.Errors, len(v.Results) > 0)))
	if len(v.Results) > 0 {
		chosen := ""
		if v.Current != nil {
			chosen = v.Current.ODS
		}
		content = append(content, app.Form().Action("/prescriptions/pharmacy").Method("post").Attr("novalidate", true).Body(
			pharmacyRadios(p.store, v.Errors, v.Results, chosen, v.Current, l.T("rx.pharmacy.legend")),
			app.Button().Class("nhsuk-button").Type("submit").Text(l.T("rx.pharmacy.save")),
		))
	}
	return &shell{Store: p.store, PageTitle: p.Title(), Content: content}
}

// onSearch points errors about the choice at the search box when there is
// nothing to choose from yet.
func onSearch(errs []api.FieldError, options bool) []api.FieldError {
	if options {
		return errs
	}
	out := make([]api.FieldError, len(errs))
	for i, e := range errs {
		if e.Field == "pharmacy" {
			e.Field = "q"
		}
		out[i] = e
	}
	return out
}

// pharmacySearch is the search by pharmacy name or postcode: a GET form, so
// the results are a page of their own, with the number found announced.
func pharmacySearch(s *Store, action string, hidden map[string]string, query string, searched bool, found int, errs []api.FieldError) app.UI {
	l := s.L()
	msg, errUI := fieldError(s, errs, "q")
	group := app.Div().Class("nhsuk-form-group")
	describedBy := "q-hint"
	if msg != "" {
		group, describedBy = group.Class("nhsuk-form-group--error"), "q-hint q-error"
	}
	fields := []app.UI{}
	for _, k := range sortedKeys(hidden) {
		fields = append(fields, app.Input().Type("hidden").Name(k).Value(attr(hidden[k])))
	}
	fields = append(fields,
		group.Body(
			el.Label().Class("nhsuk-label nhsuk-label--s").Attr("for", "q-0").Text(l.T("rx.search.label")),
			app.Div().Class("nhsuk-hint").ID("q-hint").Text(l.T("rx.search.hint")),
			errUI,
			app.Input().Class("nhsuk-input nhsuk-u-width-two-thirds").ID("q-0").Name("q").Type("search").
				Attr("autocomplete", "off").Aria("describedby", describedBy).Value(attr(query)),
		),
		app.Button().Class("nhsuk-button nhsuk-button--secondary").Type("submit").Text(l.T("rx.search.submit")),
	)
	out := []app.UI{
		app.H2().Class("nhsuk-heading-m").Text(l.T("rx.search.heading")),
		app.Form().Action(action).Method("get").Attr("role", "search").Aria("label", l.T("rx.search.heading")).Body(fields...),
	}
	if searched {
		msg := l.N("rx.search.found", found)
		if query == "" {
			msg = l.T("rx.search.empty")
		}
		out = append(out, app.P().Attr("role", "status").ID("search-status").Text(msg))
	}
	return app.Div().Body(out...)
}

// pharmacyRadios offers pharmacies to choose from, marking the nominated one.
func pharmacyRadios(s *Store, errs []api.FieldError, options []api.Pharmacy, chosen string, nominated *api.Pharmacy, legend string) app.UI {
	l := s.L()
	msg, errUI := fieldError(s, errs, "pharmacy")
	group := app.Div().Class("nhsuk-form-group")
	if msg != "" {
		group = group.Class("nhsuk-form-group--error")
	}
	choices := make([]choice, 0, len(options))
	for _, ph := range options {
		name := ph.Name
		if nominated != nil && ph.ODS == nominated.ODS {
			name = l.T("rx.pharmacy.nominatedOption", "Name", ph.Name)
		}
		choices = append(choices, choice{ph.ODS, name, pharmacyLine(ph)})
	}
	items := radioItems("pharmacy", choices, chosen)
	fieldset := el.FieldSet().Class("nhsuk-fieldset").Body(
		el.Legend().Class("nhsuk-fieldset__legend nhsuk-fieldset__legend--m").Text(legend),
		errUI,
		app.Div().Class("nhsuk-radios").Body(items...),
	)
	if msg != "" {
		fieldset = fieldset.Aria("describedby", "pharmacy-error")
	}
	return group.Body(fieldset)
}

// checkedIf checks a checkbox or radio when on. go-app writes Checked(false)
// as a bare checked attribute on the server, which checks it.
func checkedIf(in app.HTMLInput, on bool) app.HTMLInput {
	if on {
		return in.Checked(true)
	}
	return in
}
