package ui

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// signedOutPage confirms sign-out and offers to sign in again.
type signedOutPage struct {
	app.Compo
	store *Store
}

func newSignedOutPage(s *Store) Page { return &signedOutPage{store: s} }

// Title is the page title.
func (p *signedOutPage) Title() string { return p.store.L().T("signedOut.title") }

// Render draws the page.
func (p *signedOutPage) Render() app.UI {
	l := p.store.L()
	return &shell{Store: p.store, PageTitle: p.Title(), Content: []app.UI{
		app.H1().Text(p.Title()),
		app.P().Text(l.T("signedOut.body")),
		app.A().Class("nhsuk-button nhsuk-button--login").Href("/auth/login").
			Attr("role", "button").Attr("draggable", "false").Text(l.T("home.signIn.button")),
	}}
}
