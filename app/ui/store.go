// Package ui holds Companion's go-app components: one page or widget per file,
// rendered to HTML on the server and run by the WebAssembly app in the
// browser. Markup follows the NHS design system; every string comes from i18n.
//
// It must not import any server-only package (server, auth, go-redis, go-oidc,
// golang-jwt, x/oauth2): it is linked into app.wasm.
package ui

import (
	"regexp"
	"strings"

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
	// seq counts the app's page changes, so an answer that arrives after
	// the person has moved on is dropped.
	seq int
	// data is whether the page being drawn is a dataPage, which says
	// itself when its content is in.
	data bool
	// current is the data page on screen, which forms are sent from.
	current *dataPage
	// started is set once the app has drawn its first page, the one the
	// server rendered; keep, when the state in hand was answered for the
	// page about to be drawn (a form's answer at another address).
	started, keep bool
	// arrivals counts the pages' states that arrived in the app.
	arrivals int
	// offline is when the copy on screen was fetched (Unix ms), while the
	// page shows a copy kept for reading offline (offlineMissing when none
	// was kept); 0 otherwise.
	offline int64
	// unsent is set when a form could not be sent for want of a network.
	unsent bool
	// ahead holds pages' states fetched before a click (prefetch.go), at
	// most aheadLeft more for this page, for the profile aheadFor, in the
	// page's aheadCtx; observer watches the links they are fetched for.
	ahead     map[string]prefetched
	aheadLeft int
	aheadFor  string
	aheadCtx  app.Context
	observer  app.Value
}

// holds reports whether State is the state of the page at target (a path
// with its query), as the server drew it or answered it.
func (s *Store) holds(target string) bool {
	path, query := api.SplitTarget(target)
	return !s.stale && s.State.Path == path && s.State.Query == query
}

// handOver makes st, a page's state from the server, the state in hand.
func (s *Store) handOver(st api.PageState) {
	s.State, s.stale = st, false
}

// client is the typed client for Companion's API, on the page's origin.
func (s *Store) client() *api.Client { return api.NewClient("") }

// HandedOver reports whether State carries the data of the page at path, as
// rendered by the server. Pages that need data fetch it when it does not.
func (s *Store) HandedOver(path string) bool { return !s.stale && s.State.Path == path }

// navigate records a client-side move to path: the state becomes a fresh
// one for the new page, keeping only what every page shares (see
// api.PageState.Fresh), so no page's data or query outlives it.
func (s *Store) navigate(path string) {
	s.seq++
	if path == s.State.Path {
		return
	}
	s.stale = true
	s.State = s.State.Fresh(path)
}

// L returns the localizer for the page's language.
func (s *Store) L() *i18n.Localizer { return s.Catalogue.Localizer(s.State.Locale) }

// route is one page: its path pattern (as the server's router writes it,
// {name} for one path segment) and how to build its component.
type route struct {
	pattern string
	build   func(*Store) Page
	// fromServer pages show data only the server may assemble (who the
	// person may act for, their record, appointments, prescriptions): the
	// app draws them as a dataPage, from the state the server's page
	// answers at /api/v1/pages.
	fromServer bool
}

// Page is a routable component that knows its own title, for <title> on the
// server and for the document title after client-side navigation.
type Page interface {
	app.Composer
	Title() string
}

// routes is the page table. Server and browser both build pages from it,
// and the server's tests check it against the server's routes.
var routes = []route{
	{"/", newHomePage, false},
	{"/help", newHelpPage, false},
	{"/accessibility", newAccessibilityPage, false},
	{"/settings", newSettingsPage, false},
	{"/settings/notifications", NotifySettingsPage, true},
	{"/signed-out", newSignedOutPage, false},
	{"/profiles", newProfilesPage, true},
	{"/activity", newActivityPage, true},
	{"/appointments", newAppointmentsPage, true},
	{"/appointments/book", BookingPage, true},
	{"/appointments/{id}", AppointmentPage, true},
	{"/appointments/{id}/cancel", AppointmentPage, true},
	{"/appointments/{id}/waitlist", AppointmentPage, true},
	{"/record", RecordPage, true},
	{"/record/{section}", RecordPage, true},
	{"/record/documents/{id}", RecordPage, true},
	{"/prescriptions", PrescriptionsPage, true},
	{"/prescriptions/order", OrderPage, true},
	{"/prescriptions/pharmacy", PharmacyPage, true},
	{"/contact", ContactPage, true},
	{"/messages", MessagesPage, true},
	{"/messages/{id}", MessagesPage, true},
	{"/monitoring", MonitoringPage, true},
	{"/monitoring/{sign}", MonitoringPage, true},
}

// ServerOnly pages are rendered by the server alone, with no WebAssembly: the
// sandbox sign-in picker belongs to the identity provider, not to the app.
func SandboxPicker(s *Store) Page { return newPickerPage(s) }

// StaffHome is the signed-in staff member's start page.
func StaffHome(s *Store) Page { return newAdminPage(s) }

// StaffMonitoring is a practice's patients on monitoring plans.
func StaffMonitoring(s *Store) Page { return newBoardPage(s) }

// StaffInbox is a practice's inbox of online requests.
func StaffInbox(s *Store) Page { return newInboxPage(s) }

// wildcard is one {name} segment of a pattern.
var wildcard = regexp.MustCompile(`\{[a-z]+\}`)

// PatternRegexp is the regular expression matching the paths of pattern,
// as the WebAssembly app's router takes it.
func PatternRegexp(pattern string) string {
	parts := wildcard.Split(pattern, -1)
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return "^" + strings.Join(parts, "[^/]+") + "$"
}

// Register adds every page to go-app's router. Both the server and the
// WebAssembly entry call it so the route table is the same on both sides.
func Register(s *Store) {
	for _, r := range routes {
		build, pattern, data := r.build, r.pattern, r.fromServer
		page := func() app.Composer {
			s.data, s.started, s.keep = data, true, false
			if data {
				return newDataPage(s, build)
			}
			return orError(s, build)
		}
		if !strings.Contains(pattern, "{") {
			app.RouteFunc(pattern, func() app.Composer {
				s.navigate(pattern)
				return page()
			})
			continue
		}
		// The address is not yet the new page's while go-app builds it
		// (but for the first page): nothing of the page in hand is drawn
		// at it, and the data page takes its path when navigated to.
		app.RouteWithRegexpFunc(PatternRegexp(pattern), func() app.Composer {
			if s.started && !s.keep {
				s.navigate("")
			}
			return page()
		})
	}
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

// Lookup builds the page at pattern (a path, for pages without
// wildcards), or reports that no page has that pattern.
func Lookup(pattern string, s *Store) (Page, bool) {
	for _, r := range routes {
		if r.pattern == pattern {
			return r.build(s), true
		}
	}
	return nil, false
}

// NotFound builds the page shown for an unknown path.
func NotFound(s *Store) Page { return newNotFoundPage(s) }

// ServerError builds the page shown when something went wrong on our side.
func ServerError(s *Store) Page { return newErrorPage(s) }

// pageMatchers match the paths of every page of the table.
var pageMatchers = func() []*regexp.Regexp {
	out := make([]*regexp.Regexp, len(routes))
	for i, r := range routes {
		out[i] = regexp.MustCompile(PatternRegexp(r.pattern))
	}
	return out
}()

// IsPage reports whether path is a page of the table: the app draws it
// itself on navigation (links to any other path load from the server), and
// the server answers its state at /api/v1/pages.
func IsPage(path string) bool {
	for _, m := range pageMatchers {
		if m.MatchString(path) {
			return true
		}
	}
	return false
}

// Paths lists every page whose path has no wildcard, for tests and the
// service worker.
func Paths() []string {
	var out []string
	for _, r := range routes {
		if !strings.Contains(r.pattern, "{") {
			out = append(out, r.pattern)
		}
	}
	return out
}

// FromServer reports whether the page at pattern shows data only the
// server assembles (its route must supply it).
func FromServer(pattern string) bool {
	for _, r := range routes {
		if r.pattern == pattern {
			return r.fromServer
		}
	}
	return false
}

// Patterns lists every page's path pattern, in the order the app's router
// tries them.
func Patterns() []string {
	out := make([]string, len(routes))
	for i, r := range routes {
		out[i] = r.pattern
	}
	return out
}
