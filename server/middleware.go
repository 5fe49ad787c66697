package server

import (
	"context"
	"github.com/nhs-companion/companion/server/web"
	"net/http"

	"github.com/nhs-companion/companion/i18n"
)

type ctxKey int

const localeKey ctxKey = iota

// LocaleFrom is the language chosen for the request (by the locale middleware).
func LocaleFrom(ctx context.Context) string { return localeFrom(ctx) }

func localeFrom(ctx context.Context) string {
	l, _ := ctx.Value(localeKey).(string)
	if l == "" {
		return i18n.DefaultLocale
	}
	return l
}

func (s *Server) overTLS(r *http.Request) bool {
	return r.TLS != nil || (s.Config.TrustProxy && r.Header.Get("X-Forwarded-Proto") == "https")
}

// locale picks the request's language: a choice made with the language
// switcher (?lang=), then the remembered choice (cookie), then
// Accept-Language. A switcher choice is remembered in the cookie; for a
// signed-in person withIdentity also saves it to their settings.
//
// The switcher is a link, so this GET sets a cookie: a display preference,
// idempotent, holding no data; nothing else any GET does changes state.
func (s *Server) locale(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var choice string
		if c, err := r.Cookie(i18n.CookieName); err == nil {
			choice = c.Value
		}
		if q := r.URL.Query().Get("lang"); q != "" && s.Catalogue.Supported(q) {
			choice = q
			s.setLocaleCookie(w, q)
		}
		loc := s.Catalogue.Negotiate(choice, r.Header.Get("Accept-Language"))
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), localeKey, loc)))
	})
}

// wasmChoice remembers `?wasm=false` for the browser session, so the pages
// a person moves on to are without WebAssembly too; `?wasm=true` forgets it.
// It remembers `?from=nhsApp` the same way: the pages after it are inside
// the NHS App too (any other `?from=` forgets it).
func (s *Server) wasmChoice(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery == "" { // most requests: nothing to parse
			next.ServeHTTP(w, r)
			return
		}
		q := r.URL.Query()
		switch q.Get("wasm") {
		case "false":
			s.setCookie(w, web.WASMCookie, "off", 0)
		case "true":
			s.setCookie(w, web.WASMCookie, "", -1)
		}
		switch from := q.Get("from"); {
		case from == "nhsApp":
			s.setCookie(w, web.NHSAppCookie, "1", 0)
		case from != "":
			s.setCookie(w, web.NHSAppCookie, "", -1)
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) setLocaleCookie(w http.ResponseWriter, loc string) {
	s.setCookie(w, i18n.CookieName, loc, 365*24*3600)
}
