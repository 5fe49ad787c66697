package ui

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/nhs-companion/companion/app/api"
)

// safetyEvents is the practice's clinical safety events on its inbox:
// red-flag stops, identity mismatches, family names that differ from the
// record, full days and GP system outages, newest first, for someone to
// follow up.
func (p *inboxPage) safetyEvents(b *api.Inbox) app.UI {
	l := p.store.L()
	heading := l.T("safety.heading")
	body := []app.UI{app.H2().Text(heading), app.P().Text(l.T("safety.lead"))}
	if len(b.Safety) == 0 {
		return app.Div().ID("safety").Body(append(body, app.P().Text(l.T("safety.none")))...)
	}
	rows := make([]app.UI, 0, len(b.Safety))
	for _, e := range b.Safety {
		who := l.T("safety.everyone")
		if e.Patient != "" {
			who = e.Patient + " (" + formatDate(l, e.BirthDate) + ")"
		}
		rows = append(rows, el.Tr().Class("nhsuk-table__row").DataSet("safety", attr(e.Kind)).Body(
			el.Td().Class("nhsuk-table__cell").Text(formatTime(l, e.At)),
			el.Td().Class("nhsuk-table__cell").Text(safetyText(p.store, e)),
			el.Td().Class("nhsuk-table__cell").Text(who),
		))
	}
	return app.Div().ID("safety").Body(append(body,
		app.Div().Class("companion-table-scroll").Attr("role", "region").Aria("label", attr(heading)).TabIndex(0).Body(
			el.Table().Class("nhsuk-table").Body(
				el.Caption().Class("nhsuk-table__caption nhsuk-u-visually-hidden").Text(heading),
				el.THead().Class("nhsuk-table__head").Body(el.Tr().Class("nhsuk-table__row").Body(
					el.Th().Class("nhsuk-table__header").Attr("scope", "col").Text(l.T("safety.when")),
					el.Th().Class("nhsuk-table__header").Attr("scope", "col").Text(l.T("safety.what")),
					el.Th().Class("nhsuk-table__header").Attr("scope", "col").Text(l.T("safety.patient")),
				)),
				el.TBody().Class("nhsuk-table__body").Body(rows...),
			),
		))...)
}

// safetyText says what a safety event was, in the page's language.
func safetyText(s *Store, e api.SafetyEvent) string {
	if e.Kind == "cap_reached" {
		return s.L().T("safety.cap_reached", "Kind", ContactKindName(s.L(), e.Detail))
	}
	if k, ok := safetyKeys[e.Kind+"."+e.Detail]; ok {
		return s.L().T(k)
	}
	return labelled(s, safetyKeys, e.Kind, key("safety.other"))
}

var safetyKeys = map[string]string{
	"red_flag.999":                    key("safety.red_flag.999"),
	"red_flag.111":                    key("safety.red_flag.111"),
	"red_flag":                        key("safety.red_flag.111"),
	"identity_mismatch":               key("safety.identity_mismatch"),
	"identity_mismatch.proxy_patient": key("safety.identity_mismatch.proxy_patient"),
	"identity_mismatch.proxy_actor":   key("safety.identity_mismatch.proxy_actor"),
	"identity_mismatch.record_number": key("safety.identity_mismatch.record_number"),
	"name_differs":                    key("safety.name_differs"),
	"gp_outage":                       key("safety.gp_outage"),
}
