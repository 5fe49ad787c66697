package ui

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/nhs-companion/companion/app/api"
)

// activityPage shows a patient who has accessed their record through
// Companion, and when: themselves, or someone acting for them.
type activityPage struct {
	app.Compo
	store *Store
}

func newActivityPage(s *Store) Page { return &activityPage{store: s} }

// Title is the page title.
func (p *activityPage) Title() string { return p.store.L().T("activity.title") }

// Render draws the page.
func (p *activityPage) Render() app.UI {
	l := p.store.L()
	content := []app.UI{
		app.H1().Text(p.Title()),
		app.P().Class("nhsuk-lede-text").Text(l.T("activity.lead")),
	}
	events := p.store.State.Activity
	if len(events) == 0 {
		content = append(content, app.P().Text(l.T("activity.none")))
		return &shell{Store: p.store, PageTitle: p.Title(), Content: content}
	}
	rows := make([]app.UI, 0, len(events))
	for _, e := range events {
		rows = append(rows, el.Tr().Class("nhsuk-table__row").Body(
			el.Td().Class("nhsuk-table__cell").Text(formatTime(l, e.Time)),
			el.Td().Class("nhsuk-table__cell").Text(p.who(e)),
			el.Td().Class("nhsuk-table__cell").Text(actionName(p.store, e.Action)),
		))
	}
	content = append(content, app.Div().Class("companion-table-scroll").Attr("role", "region").Aria("label", attr(p.Title())).TabIndex(0).Body(
		el.Table().Class("nhsuk-table").Body(
			el.Caption().Class("nhsuk-table__caption nhsuk-u-visually-hidden").Text(p.Title()),
			el.THead().Class("nhsuk-table__head").Body(el.Tr().Class("nhsuk-table__row").Body(
				el.Th().Class("nhsuk-table__header").Attr("scope", "col").Text(l.T("activity.when")),
				el.Th().Class("nhsuk-table__header").Attr("scope", "col").Text(l.T("activity.who")),
				el.Th().Class("nhsuk-table__header").Attr("scope", "col").Text(l.T("activity.what")),
			)),
			el.TBody().Class("nhsuk-table__body").Body(rows...),
		),
	))
	content = append(content, app.P().Text(l.T("activity.worried")))
	return &shell{Store: p.store, PageTitle: p.Title(), Content: content}
}

func (p *activityPage) who(e api.ActivityEvent) string {
	l := p.store.L()
	switch {
	case e.Self:
		return l.T("activity.you")
	case e.Who != "":
		return l.T("activity.proxy", "Name", e.Who, "Relationship", relationshipNoun(p.store, e.Relationship))
	}
	return l.T("activity.someoneElse")
}

// actionName is an audited action in the page's language.
func actionName(s *Store, action string) string {
	return labelled(s, actionKeys, action, key("activity.action.other"))
}

var actionKeys = map[string]string{
	"switch_profile":     key("activity.action.switch_profile"),
	"view_appointments":  key("activity.action.view_appointments"),
	"book":               key("activity.action.book"),
	"cancel":             key("activity.action.cancel"),
	"view_prescriptions": key("activity.action.view_prescriptions"),
	"order_prescription": key("activity.action.order_prescription"),
	"change_pharmacy":    key("activity.action.change_pharmacy"),
	"view_record":        key("activity.action.view_record"),
	"export_record":      key("activity.action.export_record"),
	"contact_practice":   key("activity.action.contact_practice"),
	"contact_red_flag":   key("activity.action.contact_red_flag"),
}

// relationshipNoun names what a proxy is to the patient ("carer").
func relationshipNoun(s *Store, kind string) string {
	return labelled(s, relationshipNounKeys, kind, key("relationship.noun.other"))
}

var relationshipNounKeys = map[string]string{
	"parent":   key("relationship.noun.parent"),
	"carer":    key("relationship.noun.carer"),
	"guardian": key("relationship.noun.guardian"),
}
