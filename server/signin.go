package server

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/auth/rp"
	"github.com/nhs-companion/companion/auth/session"
	"github.com/nhs-companion/companion/server/audit"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/identity"
	"github.com/nhs-companion/companion/server/ratelimit"
	"github.com/nhs-companion/companion/server/staff"
)

// Sign-in refusals.
var (
	ErrSignInFailed = fault.New(fault.Invalid, "sign_in_failed", "error.signInFailed")
	ErrNHSNumber    = fault.New(fault.Forbidden, "sign_in_nhs_number", "error.nhsNumber")
	// ErrSignInElsewhere: the callback came to a browser that did not start
	// the sign-in (a link someone else started, followed here).
	ErrSignInElsewhere = fault.New(fault.Invalid, "sign_in_not_started_here", "error.signInElsewhere")
)

// bindingCookie names the cookie that ties a pending sign-in of kind to the
// browser that started it.
func (s *Server) bindingCookie(kind string) string { return s.cookieName(kind + "-signin") }

// boundHere reports whether the callback came to the browser that started
// the sign-in, and forgets the binding either way.
func (s *Server) boundHere(w http.ResponseWriter, r *http.Request, kind string, login rp.Login) bool {
	s.setCookie(w, s.bindingCookie(kind), "", -1)
	c, err := r.Cookie(s.bindingCookie(kind))
	return err == nil && login.BoundTo(c.Value)
}

func (s *Server) provider(kind string) *rp.RP {
	if kind == "staff" {
		return s.Auth.Staff
	}
	return s.Auth.Patients
}

// signIn starts a sign-in: remember state, nonce and PKCE verifier for ten
// minutes, then send the browser to the provider. A patient whose session
// timed out inside the NHS App goes back to the App instead, which signs
// them in again.
func (s *Server) signIn(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		q := r.URL.Query()
		if kind == "patient" && q.Get("reason") == "timeout" && s.Renderer.InNHSApp(r) {
			return ErrNHSAppTimeout
		}
		prompt := q.Get("prompt")
		if prompt != "" && prompt != "login" && prompt != "none" {
			prompt = ""
		}
		login := rp.Login{Return: rp.SafeReturn(q.Get("return"))}
		return s.startSignIn(w, r, kind, login, rp.AuthOptions{Prompt: prompt, LoginHint: q.Get("login_hint")})
	}
}

// startSignIn keeps login (with a fresh state, nonce and verifier, bound to
// this browser) and sends the browser to the provider.
func (s *Server) startSignIn(w http.ResponseWriter, r *http.Request, kind string, login rp.Login, o rp.AuthOptions) error {
	if err := s.Limits.Allow(r.Context(), ratelimit.SignIn, ratelimit.ClientIP(r, s.Config.TrustProxy), s.Config.RateSignIn); err != nil {
		return err
	}
	start, err := rp.NewStart()
	if err != nil {
		return err
	}
	login.Start = start
	secret, err := login.Bind()
	if err != nil {
		return err
	}
	s.setCookie(w, s.bindingCookie(kind), secret, int(s.Auth.Pending.TTL()/time.Second))
	if err := s.Auth.Pending.Save(r.Context(), login); err != nil {
		return fault.Unreachable(err)
	}
	http.Redirect(w, r, s.provider(kind).AuthURL(start, o), http.StatusFound)
	return nil
}

// callback completes a sign-in: single-use state, code exchange, ID token and
// vector-of-trust checks, then a brand-new session.
func (s *Server) callback(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := s.Limits.Allow(r.Context(), ratelimit.Callback, ratelimit.ClientIP(r, s.Config.TrustProxy), s.Config.RateSignIn); err != nil {
			return err
		}
		ctx := r.Context()
		q := r.URL.Query()
		refuse := func(reason string, err error, as error) error {
			s.Audit.Record(ctx, audit.Event{Action: "callback_refused", Outcome: "refused", Reason: kind + ":" + reason})
			s.Logger.InfoContext(ctx, "sign-in refused", "kind", kind, "reason", reason, "err", err)
			return as
		}
		login, err := s.Auth.Pending.Take(ctx, q.Get("state"))
		if errors.Is(err, rp.ErrUnknownState) {
			return refuse("state", err, ErrSignInFailed)
		}
		if err != nil {
			return fault.Unreachable(err)
		}
		if !s.boundHere(w, r, kind, login) {
			return refuse("browser", errors.New("callback without the browser binding"), ErrSignInElsewhere)
		}
		if e := q.Get("error"); e != "" {
			as := ErrSignInFailed
			if login.FromNHSApp {
				as = nhsAppRefusal(e, q.Get("error_description"))
			}
			return refuse("provider_"+e, errors.New(q.Get("error_description")), as)
		}
		store := s.sessions(kind)
		id, err := s.provider(kind).Exchange(ctx, q.Get("code"), login.Start)
		if err != nil {
			return refuse(rp.Reason(err), err, ErrSignInFailed)
		}
		sess := session.Session{UserKey: id.Subject, Kind: kind, Subject: id.Subject, Device: session.Device(r.UserAgent())}
		if kind == "patient" {
			if !nhs.ValidNumber(id.NHSNumber) {
				return refuse("nhs_number", rp.ErrNHSNumber, ErrNHSNumber)
			}
			sess.NHSNumber, sess.GivenName, sess.FamilyName = id.NHSNumber, id.GivenName, id.FamilyName
			sess.BirthDate, sess.ProofingLevel, sess.GPODS = id.BirthDate, id.ProofingLevel, id.GPODS
			birth, _ := gp.ParseDate(id.BirthDate)
			if sess.Matched, err = s.Identity.Check(ctx, identity.Claim{NHSNumber: id.NHSNumber, BirthDate: birth, FamilyName: id.FamilyName}, id.Subject); err != nil {
				s.Logger.InfoContext(ctx, "sign-in refused", "kind", kind, "reason", "identity_mismatch")
				return err
			}
		} else {
			sess.GivenName, sess.FamilyName = id.GivenName, id.FamilyName
			if sess.Roles, sess.RoleODS, err = s.Auth.StaffRoles.Roles(id.Claims); err != nil {
				return refuse(staff.Refusal(err), err, fault.ErrForbidden)
			}
		}
		// A new session ID at every sign-in; any session this browser held ends.
		if old, err := r.Cookie(s.cookieName(kind)); err == nil && old.Value != "" {
			_ = store.Delete(ctx, old.Value)
		}
		token, created, err := store.Create(ctx, sess)
		if err != nil {
			return fault.Unreachable(err)
		}
		s.setSessionCookie(w, kind, token)
		// A language the person chose before, on any device, comes back.
		if loc, err := s.Prefs.Language(ctx, id.Subject); err == nil && s.Catalogue.Supported(loc) {
			s.setLocaleCookie(w, loc)
		}
		s.Audit.Record(ctx, audit.Event{Action: "sign_in", Outcome: "success", Actor: id.Subject, Session: created.ID, Reason: kind + ":" + id.VoT})
		http.Redirect(w, r, login.Return, http.StatusSeeOther)
		return nil
	}
}

// signOut ends this session server-side, clears the cookie and asks the
// browser to drop anything cached.
func (s *Server) signOut(kind string, everywhere bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := identityFrom(r.Context(), kind)
		store := s.sessions(kind)
		if id.unavailable {
			return fault.ErrUnavailable
		}
		if id.session != nil {
			var err error
			if everywhere {
				_, err = store.EndAll(r.Context(), id.session.UserKey)
			} else {
				err = store.Delete(r.Context(), id.token)
			}
			if err != nil {
				return fault.Unreachable(err)
			}
			reason := kind
			if everywhere {
				reason += ":everywhere"
			}
			s.Audit.Record(r.Context(), audit.Event{Action: "sign_out", Outcome: "success", Actor: id.session.Subject, Session: id.session.ID, Reason: reason})
		}
		s.clearSessionCookie(w, kind)
		w.Header().Set("Clear-Site-Data", `"cache", "storage"`)
		http.Redirect(w, r, "/signed-out", http.StatusSeeOther)
		return nil
	}
}

// keepAlive records activity (loading the session did) and reports the new
// idle deadline, for the "stay signed in" button.
func (s *Server) keepAlive(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.requireSession(r, "patient")
	if err != nil {
		return err
	}
	if !strings.Contains(r.Header.Get("Accept"), "application/json") {
		back := rp.SafeReturn(strings.TrimPrefix(r.Referer(), s.Config.PublicURL))
		http.Redirect(w, r, back, http.StatusSeeOther)
		return nil
	}
	writeJSON(w, http.StatusOK, api.KeepAlive{IdleDeadline: sess.IdleDeadline(s.Auth.Sessions.Idle()).UnixMilli()})
	return nil
}

// backChannelLogout ends every session of the subject named in a logout
// token the provider signed.
func (s *Server) backChannelLogout(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return fault.ErrBadRequest
	}
	for _, kind := range []string{"patient", "staff"} {
		sub, err := s.provider(kind).VerifyLogoutToken(r.Context(), r.PostForm.Get("logout_token"))
		if err != nil {
			continue
		}
		n, err := s.sessions(kind).EndAll(r.Context(), sub)
		if err != nil {
			return fault.Unreachable(err)
		}
		s.Audit.Record(r.Context(), audit.Event{Action: "sign_out", Outcome: "success", Actor: sub, Reason: "backchannel"})
		s.Logger.InfoContext(r.Context(), "back-channel logout", "sessions", n)
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		return nil
	}
	return fault.ErrBadRequest
}
