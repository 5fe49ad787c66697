package ui

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// notFoundPage is shown for a path no page has.
type notFoundPage struct {
	app.Compo
	store *Store
}

func newNotFoundPage(s *Store) Page { return &notFoundPage{store: s} }

// Title is the page title.
func (p *notFoundPage) Title() string { return p.store.L().T("notFound.title") }

// Render draws the page.
func (p *notFoundPage) Render() app.UI {
	l := p.store.L()
	return &shell{Store: p.store, PageTitle: p.Title(), Content: []app.UI{
		app.H1().Text(p.Title()),
		app.P().Text(l.T("notFound.typed")),
		app.P().Text(l.T("notFound.pasted")),
		app.P().Body(app.A().Href("/").Text(l.T("notFound.home"))),
	}}
}

// errorPage is shown when something failed on our side.
type errorPage struct {
	app.Compo
	store *Store
}

func newErrorPage(s *Store) Page { return &errorPage{store: s} }

// Title is the page title.
func (p *errorPage) Title() string { return p.store.L().T("error.title") }

// Render draws the page.
func (p *errorPage) Render() app.UI {
	l := p.store.L()
	return &shell{Store: p.store, PageTitle: p.Title(), Content: []app.UI{
		app.H1().Text(p.Title()),
		app.P().Text(l.T("error.later")),
		urgentCard(l.T("urgent.heading"), l.T("urgent.body111"), l.T("urgent.body999")),
	}}
}
