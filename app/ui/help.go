package ui

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// helpPage answers the questions people ask before and after signing in.
type helpPage struct {
	app.Compo
	store *Store
}

func newHelpPage(s *Store) Page { return &helpPage{store: s} }

// Title is the page title.
func (p *helpPage) Title() string { return p.store.L().T("help.title") }

// Render draws the page.
func (p *helpPage) Render() app.UI {
	l := p.store.L()
	return &shell{Store: p.store, PageTitle: p.Title(), Content: []app.UI{
		app.H1().Text(p.Title()),
		app.P().Class("nhsuk-lede-text").Text(l.T("help.lead")),
		app.H2().Text(l.T("help.signIn.heading")),
		app.P().Text(l.T("help.signIn.body")),
		app.H2().Text(l.T("help.proxy.heading")),
		app.P().Text(l.T("help.proxy.body")),
		app.H2().Text(l.T("help.practice.heading")),
		app.P().Text(l.T("help.practice.body")),
		urgentCard(l.T("urgent.heading"), l.T("urgent.body111"), l.T("urgent.body999")),
	}}
}
