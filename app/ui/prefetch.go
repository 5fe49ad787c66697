package ui

import (
	"time"

	"github.com/maxence-charriere/go-app/v9/pkg/app"

	"github.com/nhs-companion/companion/app/api"
)

// Prefetching: when a link to a data page comes into view in the page's
// content, the app fetches that page's state ahead of a click, so the page
// is drawn at once if it is followed. It is bounded: links with no query
// only (a question page's answers are never guessed), GET only, at most
// prefetchPerPage a page and prefetchKept kept, each for prefetchFor, in
// memory only, and used only for the profile it was fetched for.
const (
	prefetchPerPage = 3
	prefetchKept    = 4
	prefetchFor     = 30 * time.Second
)

type prefetched struct {
	st      api.PageState
	at      time.Time
	profile string // the profile in use when it was fetched
}

// profileInUse is the patient ID of the profile the state is for.
func profileInUse(st api.PageState) string {
	if st.ActingFor != nil {
		return st.ActingFor.PatientID
	}
	if st.User != nil {
		return st.User.PatientID
	}
	return ""
}

// takePrefetched returns, and forgets, the state fetched ahead for target,
// if it is fresh and for the profile in use.
func (s *Store) takePrefetched(target string) (api.PageState, bool) {
	e, ok := s.ahead[target]
	delete(s.ahead, target)
	if !ok || time.Since(e.at) > prefetchFor || e.profile != profileInUse(s.State) {
		return api.PageState{}, false
	}
	return e.st, true
}

// watchLinks starts prefetching the data pages the content links to, for
// the page just drawn. One observer serves the app's life: each page
// unobserves the last page's links and observes its own.
func (p *dataPage) watchLinks(ctx app.Context) {
	s := p.Store
	if !app.IsClient || !app.Window().Get("IntersectionObserver").Truthy() {
		return
	}
	if s.ahead == nil {
		s.ahead = map[string]prefetched{}
	}
	s.aheadLeft, s.aheadFor, s.aheadCtx = prefetchPerPage, profileInUse(s.State), ctx
	if s.observer == nil {
		s.observer = app.Window().Get("IntersectionObserver").New(app.FuncOf(func(this app.Value, args []app.Value) any {
			entries := args[0]
			for i := 0; i < entries.Length(); i++ {
				if e := entries.Index(i); e.Get("isIntersecting").Bool() {
					s.observer.Call("unobserve", e.Get("target"))
					s.prefetch(s.aheadCtx, e.Get("target").Get("pathname").String())
				}
			}
			return nil
		}))
	}
	s.observer.Call("disconnect")
	links := app.Window().Get("document").Call("querySelectorAll", "#maincontent a[href]")
	here := app.Window().Get("location")
	for i := 0; i < links.Length(); i++ {
		a := links.Index(i)
		// A link marked data-noprefetch is not fetched ahead: opening a
		// message is its read receipt.
		if a.Get("host").String() != here.Get("host").String() || a.Get("search").String() != "" || a.Get("dataset").Get("noprefetch").Truthy() {
			continue
		}
		if path := a.Get("pathname").String(); isDataPage(path) && path != here.Get("pathname").String() {
			s.observer.Call("observe", a)
		}
	}
}

// prefetch fetches the page at target ahead of a click, within the page's
// and the store's bounds.
func (s *Store) prefetch(ctx app.Context, target string) {
	if _, ok := s.ahead[target]; ok || s.aheadLeft == 0 || len(s.ahead) >= prefetchKept {
		return
	}
	s.aheadLeft--
	profile := s.aheadFor
	s.ahead[target] = prefetched{} // claimed, so it is fetched once
	ctx.Async(func() {
		ans, err := s.client().Page(ctx, "GET", target, nil, "")
		ctx.Dispatch(func(app.Context) {
			if err != nil || ans.State == nil || profileInUse(*ans.State) != profile {
				delete(s.ahead, target)
				return
			}
			s.ahead[target] = prefetched{st: *ans.State, at: time.Now(), profile: profile}
		})
	})
}

// isDataPage reports whether path is a data page's (see dataPage).
func isDataPage(path string) bool {
	for i, m := range pageMatchers {
		if routes[i].fromServer && m.MatchString(path) {
			return true
		}
	}
	return false
}
