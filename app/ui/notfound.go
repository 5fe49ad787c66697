package ui

import (
	"strings"

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
		app.H1().DataSet("error-code", attr(errorCode(p.store))).Text(p.Title()),
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

// Title is the page title: a problem on our side, or one with the request.
func (p *errorPage) Title() string {
	if p.store.State.Status >= 400 && p.store.State.Status < 500 {
		return p.store.L().T("error.titleRequest")
	}
	return p.store.L().T("error.title")
}

// Render draws the page.
func (p *errorPage) Render() app.UI {
	l := p.store.L()
	msg := l.T("error.later")
	if e := p.store.State.Error; e != nil && e.Message != "" {
		msg = e.Message
	}
	content := []app.UI{app.H1().DataSet("error-code", attr(errorCode(p.store))).Text(p.Title()), app.P().Text(msg)}
	switch errorCode(p.store) {
	case "proofing_level":
		content = append(content, proveIdentity(p.store))
	case "identity_mismatch":
		content = append(content, app.P().Text(l.T("error.identityMismatchHow")))
	}
	if home := p.store.State.NHSAppHome; home != "" && strings.HasPrefix(errorCode(p.store), "sign_in_nhsapp") {
		// Back to the NHS App first: from there the person starts again.
		// A session that timed out goes there at once (the bridge does).
		link := app.A().Href(attr(home)).DataSet("nhsapp-home", "").Text(l.T("nhsapp.home"))
		if errorCode(p.store) == "sign_in_nhsapp_timeout" {
			link = link.DataSet("nhsapp-go-home", "")
		}
		content = append(content, app.P().Body(link))
	}
	if e := p.store.State.Error; e != nil && strings.HasPrefix(e.Code, "sign_in") {
		content = append(content, app.P().Body(app.A().Href("/auth/login").Text(l.T("error.signInAgain"))))
	} else {
		content = append(content, app.P().Body(app.A().Href("/").Text(l.T("notFound.home"))))
	}
	content = append(content, urgentCard(l.T("urgent.heading"), l.T("urgent.body111"), l.T("urgent.body999")))
	return &shell{Store: p.store, PageTitle: p.Title(), Content: content}
}

// errorCode is the stable code of the page's error, on its heading for
// scripts and tests ("not_found" when there is none).
func errorCode(s *Store) string {
	if e := s.State.Error; e != nil && e.Code != "" {
		return e.Code
	}
	return "not_found"
}
