package ui

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// signInPage stands where NHS login will start. Until the relying party is
// wired in (issue 3), it tells people sign-in is not available yet.
type signInPage struct {
	app.Compo
	store *Store
}

func newSignInPage(s *Store) Page { return &signInPage{store: s} }

// Title is the page title.
func (p *signInPage) Title() string { return p.store.L().T("signIn.title") }

// Render draws the page.
func (p *signInPage) Render() app.UI {
	l := p.store.L()
	return &shell{Store: p.store, PageTitle: p.Title(), Content: []app.UI{
		app.H1().Text(p.Title()),
		app.Div().Class("nhsuk-inset-text").Body(
			app.Span().Class("nhsuk-u-visually-hidden").Text(l.T("signIn.insetLabel")),
			app.P().Text(l.T("signIn.unavailable")),
		),
		app.P().Body(app.A().Href("/").Text(l.T("signIn.back"))),
	}}
}
