// Package ui holds Companion's go-app components: one page or widget per file,
// rendered to HTML on the server and run by the WebAssembly app in the
// browser. Markup follows the NHS design system; every string comes from i18n.
//
// It must not import any server-only package (server, auth, go-redis, go-oidc,
// golang-jwt, x/oauth2): it is linked into app.wasm.
package ui

import (
	"github.com/maxence-charriere/go-app/v9/pkg/app"
	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/i18n"
)

// Store is what every component reads: the catalogues and the state the
// current page was rendered with. The server builds one per request; the
// browser builds one at start-up from the state handed over in the page.
type Store struct {
	Catalogue *i18n.Catalogue
	State     api.PageState
	// Takeover is what the server-rendered page held when the WebAssembly
	// app started (focus, scroll, typed values); the shell restores it once.
	Takeover *Takeover
	// stale is set once the app has navigated away from the page the state
	// was rendered for: page data in State no longer belongs to any page.
	stale bool
}

// HandedOver reports whether State carries the data of the page at path, as
// rendered by the server. Pages that need data fetch it when it does not.
func (s *Store) HandedOver(path string) bool { return !s.stale && s.State.Path == path }

// navigate records a client-side move to path: the page's own data and
// query string stay with the page they came from.
func (s *Store) navigate(path string) {
	if path == s.State.Path {
		return
	}
	s.stale = true
	s.State.Path, s.State.Query, s.State.Status, s.State.Error = path, "", 0, nil
	s.State.Sessions, s.State.Picker, s.State.Profiles, s.State.Activity = nil, nil, nil, nil
	s.State.Diary, s.State.Booking, s.State.Appointment, s.State.Record = nil, nil, nil, nil
	s.State.Prescriptions, s.State.Order, s.State.PharmacyChoice, s.State.Notifications = nil, nil, nil, nil
	s.State.Contact, s.State.ContactRequests, s.State.Inbox = nil, nil, nil
}

// L returns the localizer for the page's language.
func (s *Store) L() *i18n.Localizer { return s.Catalogue.Localizer(s.State.Locale) }

// route is one page: its path and how to build its component.
type route struct {
	path  string
	build func(*Store) Page
	// fromServer pages show data only the server may assemble (who the
	// person may act for, their access history): links to them load the
	// page from the server, and the app takes over the rendered page.
	fromServer bool
}

// Page is a routable component that knows its own title, for <title> on the
// server and for the document title after client-side navigation.
type Page interface {
	app.Composer
	Title() string
}

// routes is the page table. Server and browser both build pages from it.
var routes = []route{
	{"/", newHomePage, false},
	{"/help", newHelpPage, false},
	{"/accessibility", newAccessibilityPage, false},
	{"/settings", newSettingsPage, false},
	{"/signed-out", newSignedOutPage, false},
	{"/profiles", newProfilesPage, true},
	{"/activity", newActivityPage, true},
	{"/appointments", newAppointmentsPage, true},
	{"/appointments/book", BookingPage, true},
	{"/record", RecordPage, true},
	{"/prescriptions", PrescriptionsPage, true},
	{"/prescriptions/order", OrderPage, true},
	{"/prescriptions/pharmacy", PharmacyPage, true},
	{"/contact", ContactPage, true},
}

// ServerOnly pages are rendered by the server alone, with no WebAssembly: the
// sandbox sign-in picker belongs to the identity provider, not to the app.
func SandboxPicker(s *Store) Page { return newPickerPage(s) }

// StaffHome is the signed-in staff member's start page.
func StaffHome(s *Store) Page { return newAdminPage(s) }

// StaffInbox is a practice's inbox of online requests.
func StaffInbox(s *Store) Page { return newInboxPage(s) }

// Register adds every page to go-app's router. Both the server and the
// WebAssembly entry call it so the route table is the same on both sides.
func Register(s *Store) {
	for _, r := range routes {
		build, path := r.build, r.path
		app.RouteFunc(path, func() app.Composer {
			s.navigate(path)
			return orError(s, build)
		})
	}
	// One appointment's pages (its confirmation, cancelling it).
	app.RouteWithRegexpFunc(`^/appointments/[a-z0-9]+(/cancel)?$`, func() app.Composer {
		s.navigate(app.Window().URL().Path)
		return orError(s, AppointmentPage)
	})
	// The record's sections and documents.
	app.RouteWithRegexpFunc(`^/record/(print|[a-z]+|documents/[a-z0-9-]+)$`, func() app.Composer {
		s.navigate(app.Window().URL().Path)
		return orError(s, RecordPage)
	})
	// Last, so exact routes win: every other path is the server's.
	app.RouteWithRegexpFunc("^/", func() app.Composer { return newServerPage(s) })
}

// orError builds the page, unless the server answered this very page with an
// error (a refusal, a missing appointment): then the app draws the same error
// page the server did, not an empty page.
func orError(s *Store, build func(*Store) Page) Page {
	if !s.stale && s.State.Status >= 400 {
		if s.State.Status == 404 {
			return NotFound(s)
		}
		return ServerError(s)
	}
	return build(s)
}

// Lookup builds the page for path, or reports that no page has that path.
func Lookup(path string, s *Store) (Page, bool) {
	for _, r := range routes {
		if r.path == path {
			return r.build(s), true
		}
	}
	return nil, false
}

// NotFound builds the page shown for an unknown path.
func NotFound(s *Store) Page { return newNotFoundPage(s) }

// ServerError builds the page shown when something went wrong on our side.
func ServerError(s *Store) Page { return newErrorPage(s) }

// ClientPaths lists the pages the app draws itself on navigation; links to
// the others load from the server.
func ClientPaths() []string {
	var out []string
	for _, r := range routes {
		if !r.fromServer {
			out = append(out, r.path)
		}
	}
	return out
}

// Paths lists every routed path, for tests and the service worker.
func Paths() []string {
	out := make([]string, len(routes))
	for i, r := range routes {
		out[i] = r.path
	}
	return out
}
