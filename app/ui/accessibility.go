package ui

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// accessibilityPage is the accessibility statement public sector services
// must publish.
type accessibilityPage struct {
	app.Compo
	store *Store
}

func newAccessibilityPage(s *Store) Page { return &accessibilityPage{store: s} }

// Title is the page title.
func (p *accessibilityPage) Title() string { return p.store.L().T("a11y.title") }

// Render draws the page.
func (p *accessibilityPage) Render() app.UI {
	l := p.store.L()
	return &shell{Store: p.store, PageTitle: p.Title(), Content: []app.UI{
		app.H1().Text(p.Title()),
		app.P().Class("nhsuk-lede-text").Text(l.T("a11y.lead")),
		app.P().Text(l.T("a11y.able")),
		el.Ul().Class("nhsuk-list nhsuk-list--bullet").Body(
			app.Li().Text(l.T("a11y.able.zoom")),
			app.Li().Text(l.T("a11y.able.keyboard")),
			app.Li().Text(l.T("a11y.able.screenReader")),
			app.Li().Text(l.T("a11y.able.noScript")),
			app.Li().Text(l.T("a11y.able.language")),
		),
		app.H2().Text(l.T("a11y.status.heading")),
		app.P().Text(l.T("a11y.status.body")),
		app.H2().Text(l.T("a11y.testing.heading")),
		app.P().Text(l.T("a11y.testing.body")),
		app.H2().Text(l.T("a11y.report.heading")),
		app.P().Text(l.T("a11y.report.body")),
		app.H2().Text(l.T("a11y.enforcement.heading")),
		app.P().Text(l.T("a11y.enforcement.body")),
	}}
}
