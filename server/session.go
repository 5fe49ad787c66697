package server

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/auth/rp"
	"github.com/nhs-companion/companion/auth/session"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/audit"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/ratelimit"
	"github.com/nhs-companion/companion/server/staff"
)

// Auth is everything sign-in needs, set at wiring time.
type Auth struct {
	// Patients is NHS login; Staff is NHS CIS2 (or the sandbox's staff users).
	Patients, Staff *rp.RP
	// StaffRoles maps staff sign-in's CIS2 claims to Companion's roles.
	StaffRoles staff.RBAC
	Pending    *rp.Pending
	// Sessions and StaffSessions are kept apart: a staff session never
	// opens patient pages, nor the reverse.
	Sessions, StaffSessions *session.Store
	// Audit is the audit log, read for patients' access histories.
	Audit      audit.Log
	PatientIDs *access.IDs
	// SandboxOP is the in-process sandbox NHS login, nil outside sandbox mode.
	SandboxOP http.Handler
}

// cookieName is the name of one of Companion's cookies ("patient" and
// "staff" for the sessions). Over HTTPS (always in production) the __Host-
// prefix makes the browser insist on Secure, Path=/ and no Domain.
func (s *Server) cookieName(name string) string {
	switch name {
	case "patient":
		name = "companion"
	case "staff":
		name = "companion-staff"
	default:
		name = "companion-" + strings.TrimPrefix(name, "patient-")
	}
	if s.Config.SecureCookies() {
		return "__Host-" + name
	}
	return name
}

// setCookie sets an HttpOnly, SameSite=Lax cookie for the whole site (a
// session cookie when maxAge is 0; cleared when it is negative).
func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.Config.SecureCookies(), SameSite: http.SameSiteLaxMode})
}

func (s *Server) setSessionCookie(w http.ResponseWriter, kind, token string) {
	s.setCookie(w, s.cookieName(kind), token, 0)
}

func (s *Server) clearSessionCookie(w http.ResponseWriter, kind string) {
	s.setCookie(w, s.cookieName(kind), "", -1)
}

func (s *Server) sessions(kind string) *session.Store {
	if kind == "staff" {
		return s.Auth.StaffSessions
	}
	return s.Auth.Sessions
}

// signedIn is what the request knows about who is signed in.
type signedIn struct {
	session *session.Session
	token   string
	// stale is set when the browser sent a cookie for a session that has
	// ended (timed out, signed out elsewhere, or lost with Redis).
	stale bool
	// unavailable is set when the session store could not be reached.
	unavailable bool
	// current is the profile the session acts for, authorised once per
	// request (see Server.current).
	current *currentProfile
	// limited is set when the request's API rate limits were counted with
	// the session's read, and limitErr is their outcome.
	limited  bool
	limitErr error
}

type identityKey struct{ kind string }

// withIdentity loads the session of the given kind, if the browser sent one.
func (s *Server) withIdentity(kind string, next http.Handler) http.Handler {
	return s.identify(kind, false, next)
}

// withLimitedIdentity is withIdentity for the API and patient pages, whose
// rate limits (per client and per session) are counted in the same Redis
// round trip as the session is read; rateLimitAPI answers them.
func (s *Server) withLimitedIdentity(next http.Handler) http.Handler {
	return s.identify("patient", true, next)
}

func (s *Server) identify(kind string, limit bool, next http.Handler) http.Handler {
	store := s.sessions(kind)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := signedIn{current: &currentProfile{}}
		ctx := r.Context()
		if c, err := r.Cookie(s.cookieName(kind)); err == nil && c.Value != "" {
			id.token = c.Value
			// With the session, in the same round trip: the rate limits,
			// and the access stamp of the person this session was last
			// seen to be (a session's person never changes).
			sid := session.Hash(c.Value)
			actor := ""
			if kind == "patient" {
				actor, _ = s.actors.Get(sid)
			}
			var checks []*ratelimit.Check
			stamped := func() {}
			var queue func(pipe redis.Pipeliner)
			if limit || actor != "" {
				queue = func(pipe redis.Pipeliner) {
					if limit {
						checks = append(checks,
							s.Limits.Queue(ctx, pipe, ratelimit.APIByIP, ratelimit.ClientIP(r, s.Config.TrustProxy), s.Config.RateAPI),
							s.Limits.Queue(ctx, pipe, ratelimit.APIBySession, sid, s.Config.RateAPI))
					}
					stamped = s.Access.QueueStamp(ctx, pipe, actor)
				}
			}
			sess, err := store.GetWith(ctx, c.Value, queue)
			if limit {
				id.limited = true
				for _, c := range checks {
					id.limitErr = errors.Join(id.limitErr, c.Err(ctx))
				}
			}
			switch {
			case err == nil:
				if kind == "patient" && sess.NHSNumber == actor {
					stamped()
				} else if kind == "patient" {
					s.actors.Put(sess.ID, sess.NHSNumber)
				}
				id.session = &sess
				ctx = audit.WithSession(ctx, sess.ID)
				if q := r.URL.Query().Get("lang"); q != "" && s.Catalogue.Supported(q) {
					if err := s.Prefs.SetLanguage(ctx, sess.UserKey, q); err != nil {
						s.Logger.WarnContext(ctx, "save language preference", "err", err)
					}
				}
			case errors.Is(err, session.ErrNotFound):
				id.stale = true
				s.clearSessionCookie(w, kind)
				// Anyone can send an unknown cookie: a few a minute per client
				// are audited, not every one.
				if s.Limits.Allow(ctx, ratelimit.ExpiredAudit, ratelimit.ClientIP(r, s.Config.TrustProxy), 5) == nil {
					s.Audit.Record(ctx, audit.Event{Action: "session_expired", Outcome: "ended", Reason: kind})
				}
			default:
				id.unavailable = true
				s.Logger.ErrorContext(ctx, "session store", "err", err)
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, identityKey{kind}, &id)))
	})
}

func identityFrom(ctx context.Context, kind string) *signedIn {
	if id, ok := ctx.Value(identityKey{kind}).(*signedIn); ok {
		return id
	}
	return &signedIn{current: &currentProfile{}}
}

// requireSession returns the signed-in session of kind, or the error that
// sends the person to sign in (pages) or answers 401 (API).
func (s *Server) requireSession(r *http.Request, kind string) (*session.Session, error) {
	id := identityFrom(r.Context(), kind)
	switch {
	case id.unavailable:
		return nil, fault.ErrUnavailable
	case id.session != nil:
		return id.session, nil
	case id.stale:
		return nil, fault.ErrSessionExpired
	}
	return nil, fault.ErrUnauthenticated
}

// signInRedirect turns "not signed in" on a page into a trip to sign in that
// comes back to the same page.
func (s *Server) signInRedirect(w http.ResponseWriter, r *http.Request, kind string, err error) error {
	if !errors.Is(err, fault.ErrUnauthenticated) && !errors.Is(err, fault.ErrSessionExpired) {
		return err
	}
	start := "/auth/login"
	if kind == "staff" {
		start = "/staff/login"
	}
	q := url.Values{"return": {r.URL.RequestURI()}}
	if errors.Is(err, fault.ErrSessionExpired) {
		q.Set("reason", "timeout")
	}
	http.Redirect(w, r, start+"?"+q.Encode(), http.StatusSeeOther)
	return nil
}

// pageSession is the signed-in patient session for a page, or (nil, nil)
// once the browser has been sent to sign in.
func (s *Server) pageSession(w http.ResponseWriter, r *http.Request, kind string) (*session.Session, error) {
	sess, err := s.requireSession(r, kind)
	if err != nil {
		return nil, s.signInRedirect(w, r, kind, err)
	}
	return sess, nil
}

// rateLimitAPI limits /api requests per session and per client IP: counted
// with the session's read (withLimitedIdentity), or here when the browser
// sent no session.
func (s *Server) rateLimitAPI(next handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if id := identityFrom(r.Context(), "patient"); id.limited {
			if id.limitErr != nil {
				return id.limitErr
			}
			return next(w, r)
		}
		// No session cookie, so no session to count against: the client alone.
		if err := s.Limits.Allow(r.Context(), ratelimit.APIByIP, ratelimit.ClientIP(r, s.Config.TrustProxy), s.Config.RateAPI); err != nil {
			return err
		}
		return next(w, r)
	}
}
