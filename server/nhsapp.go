package server

import (
	"net/http"
	"net/url"
	"regexp"

	"github.com/nhs-companion/companion/app/ui"
	"github.com/nhs-companion/companion/auth/rp"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/web"
)

// The NHS App opens Companion's pages with the person's NHS login carried
// over: it adds assertedLoginIdentity=<JWT> to the address, and Companion
// signs the person in with NHS login's prompt=none, passing the assertion
// on, so they are not asked to sign in again. The assertion is a
// credential for a minute: it goes to NHS login and nowhere else (not to
// the logs, the audit trail or Redis; the request log records paths, not
// queries, and every page has Referrer-Policy: no-referrer).

// assertedParam is the query parameter the NHS App adds.
const assertedParam = "assertedLoginIdentity"

// maxAssertion bounds the assertion: NHS App's are a few hundred bytes.
const maxAssertion = 4096

// jwtShape is a compact JWS: three base64url parts.
var jwtShape = regexp.MustCompile(`^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$`)

// Refusals of single sign-on from the NHS App. Their codes begin sign_in_,
// so their pages offer the ordinary sign-in too.
var (
	// ErrBadAssertion: the address carried something that is not an
	// assertion.
	ErrBadAssertion = fault.New(fault.Invalid, "sign_in_nhsapp_bad_assertion", "error.nhsappBadAssertion")
	// ErrNHSAppLoginRequired: NHS login would not carry the App's sign-in
	// over (login_required and the like: the assertion had expired or was
	// used, or the App's session ended).
	ErrNHSAppLoginRequired = fault.New(fault.Unauthenticated, "sign_in_nhsapp_login_required", "error.nhsappLoginRequired")
	// ErrNHSAppConsent: the person chose not to share their NHS login
	// information with Companion (access_denied, ConsentNotGiven).
	ErrNHSAppConsent = fault.New(fault.Forbidden, "sign_in_nhsapp_consent", "error.nhsappConsent")
	// ErrNHSAppDenied: NHS login refused for another reason.
	ErrNHSAppDenied = fault.New(fault.Forbidden, "sign_in_nhsapp_denied", "error.nhsappDenied")
	// ErrNHSAppTimeout: the session ended inside the NHS App; the page
	// takes the person back to the App's home page.
	ErrNHSAppTimeout = fault.New(fault.Unauthenticated, "sign_in_nhsapp_timeout", "error.nhsappTimeout")
)

// nhsAppRefusal is the refusal for the error NHS login answered a single
// sign-on with.
func nhsAppRefusal(code, description string) *fault.Error {
	switch {
	case code == "access_denied" && description == "ConsentNotGiven":
		return ErrNHSAppConsent
	case code == "login_required", code == "interaction_required", code == "consent_required", code == "account_selection_required":
		return ErrNHSAppLoginRequired
	}
	return ErrNHSAppDenied
}

// nhsAppSignOn takes a page request carrying the NHS App's assertion
// straight to NHS login, to come back to the same page (without the
// assertion) signed in. Only the App's own web view (its user agent) is
// signed on so: a link from another site could otherwise carry someone's
// assertion to a victim's browser and sign them in as that someone (login
// CSRF, which the ordinary sign-in's browser binding cannot catch when the
// sign-in starts on the victim's own request). Anywhere else the assertion
// is dropped and the page asks for the ordinary sign-in as it would.
func (s *Server) nhsAppSignOn(next http.Handler) http.Handler {
	start := s.handle(s.assertedSignIn)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.RawQuery == "" || !ui.IsPage(r.URL.Path) || !r.URL.Query().Has(assertedParam) {
			next.ServeHTTP(w, r)
			return
		}
		if !web.NHSAppWebView(r) {
			back, _ := withoutAssertion(r)
			http.Redirect(w, r, back, http.StatusSeeOther)
			return
		}
		start.ServeHTTP(w, r)
	})
}

// withoutAssertion is r's address without the assertion, and the
// assertions it carried.
func withoutAssertion(r *http.Request) (string, []string) {
	q := r.URL.Query()
	sent := q[assertedParam]
	q.Del(assertedParam)
	return (&url.URL{Path: r.URL.Path, RawQuery: q.Encode()}).RequestURI(), sent
}

func (s *Server) assertedSignIn(w http.ResponseWriter, r *http.Request) error {
	back, sent := withoutAssertion(r)
	if len(sent) != 1 || len(sent[0]) > maxAssertion || !jwtShape.MatchString(sent[0]) {
		return ErrBadAssertion
	}
	assertion := sent[0]
	login := rp.Login{Return: rp.SafeReturn(back), FromNHSApp: true}
	return s.startSignIn(w, r, "patient", login, rp.AuthOptions{Prompt: "none", AssertedLoginIdentity: assertion})
}
