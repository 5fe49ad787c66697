package ui

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/nhs-companion/companion/app/api"
)

// profilesPage lists the people the signed-in person can act for: their own
// profile first, then each linked profile with a button to switch to it, or
// the reason their access has stopped.
type profilesPage struct {
	app.Compo
	store *Store
}

func newProfilesPage(s *Store) Page { return &profilesPage{store: s} }

// Title is the page title.
func (p *profilesPage) Title() string { return p.store.L().T("profiles.title") }

// Render draws the page.
func (p *profilesPage) Render() app.UI {
	l := p.store.L()
	content := []app.UI{
		app.H1().Text(p.Title()),
		app.P().Class("nhsuk-lede-text").Text(l.T("profiles.lead")),
	}
	others := 0
	for _, pr := range p.store.State.Profiles {
		if !pr.Self {
			others++
		}
	}
	if others == 0 {
		content = append(content, app.P().Text(l.T("profiles.none")))
	}
	for _, pr := range p.store.State.Profiles {
		content = append(content, p.card(pr))
	}
	content = append(content, app.P().Text(l.T("profiles.askPractice")))
	return &shell{Store: p.store, PageTitle: p.Title(), Content: content}
}

func (p *profilesPage) card(pr api.Profile) app.UI {
	l := p.store.L()
	heading := pr.Name
	if pr.Self {
		heading = l.T("profiles.you", "Name", pr.Name)
	}
	body := []app.UI{
		app.H2().Class("nhsuk-card__heading nhsuk-heading-m").Text(heading),
		app.P().Class("nhsuk-card__description").Text(l.T("profiles.born", "Date", formatDate(l, pr.BirthDate))),
	}
	if !pr.Self {
		body = append(body, app.P().Class("nhsuk-card__description").Text(relationshipName(p.store, pr.Relationship)))
	}
	switch {
	case pr.Status != "active":
		body = append(body, app.Div().Class("nhsuk-inset-text").Body(
			app.Span().Class("nhsuk-u-visually-hidden").Text(l.T("shell.information")),
			app.P().Text(statusText(p.store, pr)),
		))
	case pr.Current:
		body = append(body, app.P().Body(el.Strong().Class("nhsuk-tag nhsuk-tag--green").Text(l.T("profiles.current"))))
	default:
		label := l.T("profiles.switchTo", "Name", pr.GivenName)
		if pr.Self {
			label = l.T("profiles.switchBack")
		}
		body = append(body, app.Form().Action("/profiles/"+attr(pr.PatientID)+"/switch").Method("post").Body(
			app.Button().Class("nhsuk-button nhsuk-u-margin-bottom-0").Type("submit").Text(label),
		))
	}
	if !pr.Self && pr.Status == "active" {
		items := make([]app.UI, 0, len(pr.Permissions))
		for _, perm := range pr.Permissions {
			items = append(items, app.Li().Text(permissionName(p.store, perm)))
		}
		body = append(body,
			app.P().Class("nhsuk-u-margin-top-3 nhsuk-u-margin-bottom-1").Text(l.T("profiles.canDo")),
			el.Ul().Class("nhsuk-list nhsuk-list--bullet").Body(items...),
		)
	}
	return app.Div().Class("nhsuk-card").DataSet("profile", attr(pr.GivenName)).Body(
		app.Div().Class("nhsuk-card__content").Body(body...),
	)
}

// statusText says why access to a profile has stopped.
func statusText(s *Store, pr api.Profile) string {
	return labelled(s, statusKeys, pr.Status, key("profiles.status.unavailable"), "Name", pr.GivenName)
}

var statusKeys = map[string]string{
	"suspended_age": key("profiles.status.suspendedAge"),
	"ended":         key("profiles.status.ended"),
	"revoked":       key("profiles.status.revoked"),
}

// relationshipName is a relationship in the page's language, said to the
// proxy ("You are their carer").
func relationshipName(s *Store, kind string) string {
	return labelled(s, relationshipKeys, kind, key("relationship.other"))
}

var relationshipKeys = map[string]string{
	"parent":   key("relationship.parent"),
	"carer":    key("relationship.carer"),
	"guardian": key("relationship.guardian"),
}

// permissionName is a permission in the page's language.
func permissionName(s *Store, perm string) string {
	return labelled(s, permissionKeys, perm, key("relationship.other"))
}

var permissionKeys = map[string]string{
	"appointments":   key("permission.appointments"),
	"prescriptions":  key("permission.prescriptions"),
	"record_summary": key("permission.record_summary"),
	"full_record":    key("permission.full_record"),
	"messages":       key("permission.messages"),
	"monitoring":     key("permission.monitoring"),
}

// actingBanner names the person being acted for on every page, with the way
// back to the person's own profile.
func actingBanner(s *Store) app.UI {
	a := s.State.ActingFor
	if a == nil {
		return nil
	}
	l := s.L()
	var back app.UI
	if u := s.State.User; u != nil && u.PatientID != "" {
		back = app.Form().Class("companion-acting__form").Action("/profiles/" + attr(u.PatientID) + "/switch").Method("post").Body(
			app.Button().Class("nhsuk-button nhsuk-button--reverse nhsuk-button--small nhsuk-u-margin-bottom-0").Type("submit").
				Text(l.T("acting.switchBack")),
		)
	}
	return app.Div().Class("companion-acting").ID("acting-for").Attr("role", "region").Aria("label", attr(l.T("acting.label"))).Body(
		app.Div().Class("nhsuk-width-container companion-acting__inner").Body(
			app.P().Class("companion-acting__text").Body(
				el.Strong().Text(l.T("acting.banner", "Name", a.Name, "Date", formatDate(l, a.BirthDate))),
			),
			app.A().Class("companion-acting__link").Href("/profiles").Text(l.T("acting.change")),
			back,
		),
	)
}
