package ui

import (
	"net/url"

	"github.com/maxence-charriere/go-app/v9/pkg/app"
)

// nhsLogo is the NHS logo from nhsuk-frontend's header, as inline SVG so the
// page makes no request for it.
const nhsLogo = `<svg class="nhsuk-header__logo" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 80" height="40" width="100" focusable="false" role="img" aria-label="NHS"><title>NHS</title><path d="M200 0v80H0V0h200Zm-27.5 5.5c-14.5 0-29 5-29 22 0 10.2 7.7 13.5 14.7 16.3l.7.3c5.4 2 10.1 3.9 10.1 8.4 0 6.5-8.5 7.5-14 7.5s-12.5-1.5-16-3.5L135 70c5.5 2 13.5 3.5 20 3.5 15.5 0 32-4.5 32-22.5 0-19.5-25.5-16.5-25.5-25.5 0-5.5 5.5-6.5 12.5-6.5a35 35 0 0 1 14.5 3l4-13.5c-4.5-2-12-3-20-3Zm-131 2h-22l-14 65H22l9-45h.5l13.5 45h21.5l14-65H64l-9 45h-.5l-13-45Zm63 0h-18l-13 65h17l6-28H117l-5.5 28H129l13.5-65H125L119.5 32h-20l5-24.5Z"/></svg>`

// shell is the frame of every page: skip link, header with the service name
// and navigation, main content and footer. Pages render their content inside
// it. It also owns what must happen when the page changes in the browser:
// the document title and language, and where focus goes.
type shell struct {
	app.Compo

	// Store is the page's store (props).
	Store *Store
	// PageTitle is the page's own title, without the service name.
	PageTitle string
	// Content is the page's content, placed inside <main>.
	Content []app.UI
}

// OnMount runs in the browser when the WebAssembly app takes the page over
// from the server render (and after each client-side page change).
func (s *shell) OnMount(ctx app.Context) {
	s.syncDocument(ctx)
	if t := s.Store.Takeover; t != nil {
		s.Store.Takeover = nil
		ctx.Defer(func(app.Context) { t.Restore() })
		if !s.Store.data {
			navigated(ctx, false)
		}
		return
	}
	if s.Store.data {
		// A data page says itself when its content is in.
		ctx.Defer(func(app.Context) { focusHeading() })
		return
	}
	// A page change made in the browser: start reading at the new page's
	// heading, as a full page load would, and announce it.
	navigated(ctx, true)
}

// OnUpdate runs when a page changes the shell's props without remounting it.
func (s *shell) OnUpdate(ctx app.Context) { s.syncDocument(ctx) }

func (s *shell) syncDocument(ctx app.Context) {
	l := s.Store.L()
	ctx.Page().SetTitle(DocumentTitle(l.T("service.name"), s.PageTitle))
	ctx.Page().SetLang(l.Locale())
	markReady(l.Dir())
}

// DocumentTitle is "Page – Service – NHS", the NHS service manual's pattern.
// The server uses it for <title>, the shell after client-side navigation.
func DocumentTitle(service, page string) string {
	if page == "" || page == service {
		return service + " – NHS"
	}
	return page + " – " + service + " – NHS"
}

// Render draws the frame.
func (s *shell) Render() app.UI {
	l := s.Store.L()
	path := s.Store.State.Path
	navItem := func(href, label string, extra ...app.UI) app.UI {
		current := path == href
		link := app.A().Class("nhsuk-header__navigation-link").Href(href)
		item := app.Li().Class("nhsuk-header__navigation-item")
		if current {
			item = item.Class("nhsuk-header__navigation-item--current")
			return item.Body(link.Aria("current", "page").Body(append([]app.UI{
				el.Strong().Class("nhsuk-header__navigation-item-current-fallback").Text(label)}, extra...)...))
		}
		return item.Body(link.Body(append([]app.UI{app.Text(label)}, extra...)...))
	}
	var messages app.UI
	if s.Store.State.User != nil && s.Store.State.Unread != nil {
		messages = s.messagesItem(navItem)
	}
	main := app.Div().Class("nhsuk-width-container").Body(
		app.If(s.Store.State.User != nil, &idleWarning{Store: s.Store}),
		el.Main().Class("nhsuk-main-wrapper").ID("maincontent").TabIndex(-1).Body(
			append(append([]app.UI{offlineBanner(s.Store)}, s.Content...), unsentBanner(s.Store))...),
	)
	if s.Store.State.NHSAppHome != "" {
		// Inside the NHS App: its own header, footer and navigation frame
		// the page, and it signs people out, so Companion draws none of
		// them; its pages beyond the one in view stay one link away.
		return app.Div().Class("companion-page companion-page--nhsapp").Body(
			app.A().Class("nhsuk-skip-link").Href("#maincontent").Text(l.T("shell.skip")),
			s.languages(),
			actingBanner(s.Store),
			main,
			s.inAppLinks(),
		)
	}
	return app.Div().Class("companion-page").Body(
		app.A().Class("nhsuk-skip-link").Href("#maincontent").Text(l.T("shell.skip")),
		s.languages(),
		el.Header().Class("nhsuk-header").Attr("role", "banner").Body(
			app.Div().Class("nhsuk-header__container nhsuk-width-container").Body(
				app.Div().Class("nhsuk-header__service").Body(
					app.A().Class("nhsuk-header__service-logo").Href("/").
						Aria("label", attr(l.T("shell.homeLink"))).Body(
						app.Raw(nhsLogo),
						app.Span().Class("nhsuk-header__service-name").Text(l.T("service.name")),
					),
				),
				s.account(),
			),
			el.Nav().Class("nhsuk-header__navigation").Aria("label", attr(l.T("shell.menu"))).Body(
				app.Div().Class("nhsuk-header__navigation-container nhsuk-width-container").Body(
					el.Ul().Class("nhsuk-header__navigation-list").Body(
						navItem("/", l.T("nav.home")),
						app.If(s.Store.State.User != nil, navItem("/profiles", l.T("nav.profiles"))),
						messages,
						navItem("/help", l.T("nav.help")),
					),
				),
			),
		),
		actingBanner(s.Store),
		main,
		el.Footer().Class("nhsuk-footer").Attr("role", "contentinfo").Body(
			app.Div().Class("nhsuk-width-container").Body(
				app.Div().Class("nhsuk-footer__meta").Body(
					app.H2().Class("nhsuk-u-visually-hidden").Text(l.T("shell.footer.heading")),
					el.Ul().Class("nhsuk-footer__list").Body(
						footerLink("/help", l.T("shell.footer.help")),
						footerLink("/accessibility", l.T("shell.footer.accessibility")),
					),
					app.P().Class("nhsuk-body-s").Text(l.T("shell.footer.copyright")),
				),
			),
		),
	)
}

// inAppLinks end a page inside the NHS App: Companion's own pages (which
// the App's navigation does not know) and the way back to the App, which
// the App's JavaScript API takes (web/nhsapp-bridge.js) and a plain link
// stands in for.
func (s *shell) inAppLinks() app.UI {
	l := s.Store.L()
	signedIn := s.Store.State.User != nil
	navItem := func(href, label string, extra ...app.UI) app.UI {
		link := app.A().Href(href).Body(append([]app.UI{app.Text(label)}, extra...)...)
		if s.Store.State.Path == href {
			link = link.Aria("current", "page")
		}
		return app.Li().Body(link)
	}
	var messages app.UI
	if signedIn && s.Store.State.Unread != nil {
		messages = s.messagesItem(navItem)
	}
	return el.Nav().Class("companion-nhsapp-links nhsuk-width-container").Aria("label", attr(l.T("nhsapp.links"))).Body(
		el.Ul().Class("nhsuk-list").Body(
			app.If(s.Store.State.Path != "/", navItem("/", l.T("nav.home"))),
			app.If(signedIn, navItem("/profiles", l.T("nav.profiles"))),
			messages,
			app.If(signedIn, navItem("/settings", l.T("nav.settings"))),
			navItem("/help", l.T("nav.help")),
			app.Li().Body(app.A().Href(attr(s.Store.State.NHSAppHome)).DataSet("nhsapp-home", "").Text(l.T("nhsapp.home"))),
		),
		s.inAppSignOut(),
	)
}

// inAppSignOut is who is signed in and signing out, on a page styled for
// the App (?from=nhsApp) but not in its web view: the App is not there to
// do either.
func (s *shell) inAppSignOut() app.UI {
	st := s.Store.State
	if st.User == nil || st.NHSAppWebView {
		return nil
	}
	l := s.Store.L()
	return app.Form().Action("/auth/logout").Method("post").Body(
		app.P().Text(l.T("shell.account.signedInAs")+st.User.Name),
		app.Button().Class("nhsuk-button nhsuk-button--secondary").Type("submit").Text(l.T("shell.signOut")),
	)
}

// languages is the language switcher: a plain link per other language (so it
// works without WebAssembly), labelled in that language and marked as such.
func (s *shell) languages() app.UI {
	l := s.Store.L()
	var items []app.UI
	for _, loc := range s.Store.Catalogue.Locales() {
		if loc == l.Locale() {
			continue
		}
		q, _ := url.ParseQuery(s.Store.State.Query)
		q.Set("lang", loc)
		href := (&url.URL{Path: s.Store.State.Path, RawQuery: q.Encode()}).String()
		items = append(items, app.Li().Class("companion-lang__item").Body(
			app.A().Class("companion-lang__link").Href(attr(href)).Lang(loc).Attr("hreflang", loc).
				DataSet("reload", "true").Text(s.Store.Catalogue.Name(loc)),
		))
	}
	if len(items) == 0 {
		return nil
	}
	return el.Nav().Class("companion-lang").Aria("label", attr(l.T("lang.nav"))).Body(
		app.Div().Class("nhsuk-width-container").Body(
			el.Ul().Class("companion-lang__list").Body(items...),
		),
	)
}

// account is the header's account menu: who is signed in, their settings,
// and signing out (a real form, so it works without WebAssembly).
func (s *shell) account() app.UI {
	l := s.Store.L()
	var name, settings, signOut string
	switch st := s.Store.State; {
	case st.User != nil:
		name, settings, signOut = st.User.Name, "/settings", "/auth/logout"
	case st.Staff != nil:
		name, settings, signOut = st.Staff.Name, "/admin", "/staff/logout"
	default:
		return nil
	}
	return el.Nav().Class("nhsuk-header__account").Aria("label", attr(l.T("shell.account"))).Body(
		el.Ul().Class("nhsuk-header__account-list").Body(
			app.Li().Class("nhsuk-header__account-item").Body(
				app.A().Class("nhsuk-header__account-link").Href(settings).Body(
					app.Span().Class("nhsuk-u-visually-hidden").Text(l.T("shell.account.signedInAs")),
					app.Text(name),
				),
			),
			app.Li().Class("nhsuk-header__account-item").Body(
				app.Form().Class("nhsuk-header__account-form").Action(signOut).Method("post").Body(
					app.Button().Class("nhsuk-header__account-button").Type("submit").Text(l.T("shell.signOut")),
				),
			),
		),
	)
}

func footerLink(href, label string) app.UI {
	return app.Li().Class("nhsuk-footer__list-item").Body(
		app.A().Class("nhsuk-footer__list-item-link").Href(href).Text(label))
}

// messagesItem is the header's link to the profile's messages, with how
// many are unread (in words for screen readers, not a bare number).
func (s *shell) messagesItem(navItem func(href, label string, extra ...app.UI) app.UI) app.UI {
	l := s.Store.L()
	n := *s.Store.State.Unread
	if n == 0 {
		return navItem("/messages", l.T("nav.messages"))
	}
	return navItem("/messages", l.T("nav.messages"), app.Text(" "), app.Span().Class("companion-unread").ID("unread-count").Body(
		app.Span().Aria("hidden", "true").Text(itoa(n)),
		app.Span().Class("nhsuk-u-visually-hidden").Text(l.N("nav.unread", n)),
	))
}
