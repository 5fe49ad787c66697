package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-redis/redis_rate/v10"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/app/ui"
	"github.com/nhs-companion/companion/auth/rp"
	"github.com/nhs-companion/companion/auth/session"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/audit"
)

// Auth is everything sign-in needs, set at wiring time.
type Auth struct {
	// Patients is NHS login; Staff is NHS CIS2 (or the sandbox's staff users).
	Patients, Staff *rp.RP
	Pending         *rp.Pending
	// Sessions and StaffSessions are kept apart: a staff session never
	// opens patient pages, nor the reverse.
	Sessions, StaffSessions *session.Store
	Audit                   audit.Log
	Limiter                 *redis_rate.Limiter
	PatientIDs              *access.IDs
	// SandboxOP is the in-process sandbox NHS login, nil outside sandbox mode.
	SandboxOP http.Handler
}

// Error kinds for sign-in and sessions.
var (
	ErrSignInFailed    = &Error{Status: http.StatusBadRequest, Code: "sign_in_failed", MessageID: "error.signInFailed"}
	ErrNHSNumber       = &Error{Status: http.StatusForbidden, Code: "sign_in_nhs_number", MessageID: "error.nhsNumber"}
	ErrUnauthenticated = &Error{Status: http.StatusUnauthorized, Code: "unauthenticated", MessageID: "error.unauthenticated"}
	ErrSessionExpired  = &Error{Status: http.StatusUnauthorized, Code: "session_expired", MessageID: "error.sessionExpired"}
	ErrUnavailable     = &Error{Status: http.StatusServiceUnavailable, Code: "unavailable", MessageID: "error.unavailable"}
	ErrProofingLevel   = &Error{Status: http.StatusForbidden, Code: "proofing_level", MessageID: "error.proofingLevel"}
	ErrForbidden       = &Error{Status: http.StatusForbidden, Code: "forbidden", MessageID: "error.forbidden"}
)

// Cookie names. Over HTTPS (always in production) the __Host- prefix makes
// the browser insist on Secure, Path=/ and no Domain.
func (s *Server) cookieName(kind string) string {
	name := "companion"
	if kind == "staff" {
		name = "companion-staff"
	}
	if s.Config.SecureCookies() {
		return "__Host-" + name
	}
	return name
}

func (s *Server) setSessionCookie(w http.ResponseWriter, kind, token string) {
	http.SetCookie(w, &http.Cookie{
		Name: s.cookieName(kind), Value: token, Path: "/",
		HttpOnly: true, Secure: s.Config.SecureCookies(), SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter, kind string) {
	http.SetCookie(w, &http.Cookie{
		Name: s.cookieName(kind), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.Config.SecureCookies(), SameSite: http.SameSiteLaxMode,
	})
}

// identity is what the request knows about who is signed in.
type identity struct {
	session *session.Session
	token   string
	// stale is set when the browser sent a cookie for a session that has
	// ended (timed out, signed out elsewhere, or lost with Redis).
	stale bool
	// unavailable is set when the session store could not be reached.
	unavailable bool
}

type identityKey struct{ kind string }

// withIdentity loads the session of the given kind, if the browser sent one.
func (s *Server) withIdentity(kind string, next http.Handler) http.Handler {
	store := s.Auth.Sessions
	if kind == "staff" {
		store = s.Auth.StaffSessions
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var id identity
		if c, err := r.Cookie(s.cookieName(kind)); err == nil && c.Value != "" {
			id.token = c.Value
			sess, err := store.Get(r.Context(), c.Value)
			switch {
			case err == nil:
				id.session = &sess
				if q := r.URL.Query().Get("lang"); q != "" && s.Catalogue.Supported(q) {
					s.savePreference(r, sess.UserKey, q)
				}
			case errors.Is(err, session.ErrNotFound):
				id.stale = true
				s.clearSessionCookie(w, kind)
				s.audit(r, audit.Event{Action: "session_expired", Outcome: "ended", Reason: kind})
			default:
				id.unavailable = true
				s.logger(r).Error("session store", "err", err)
			}
		}
		ctx := context.WithValue(r.Context(), identityKey{kind}, &id)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func identityFrom(ctx context.Context, kind string) *identity {
	if id, ok := ctx.Value(identityKey{kind}).(*identity); ok {
		return id
	}
	return &identity{}
}

// requireSession returns the signed-in patient session, or the error that
// sends the person to sign in (pages) or answers 401 (API).
func (s *Server) requireSession(r *http.Request, kind string) (*session.Session, error) {
	id := identityFrom(r.Context(), kind)
	switch {
	case id.unavailable:
		return nil, ErrUnavailable
	case id.session != nil:
		return id.session, nil
	case id.stale:
		return nil, ErrSessionExpired
	}
	return nil, ErrUnauthenticated
}

// signInRedirect turns "not signed in" on a page into a trip to sign in that
// comes back to the same page.
func (s *Server) signInRedirect(w http.ResponseWriter, r *http.Request, kind string, err error) error {
	if !errors.Is(err, ErrUnauthenticated) && !errors.Is(err, ErrSessionExpired) {
		return err
	}
	start := "/auth/login"
	if kind == "staff" {
		start = "/staff/login"
	}
	q := url.Values{"return": {r.URL.RequestURI()}}
	if errors.Is(err, ErrSessionExpired) {
		q.Set("reason", "timeout")
	}
	http.Redirect(w, r, start+"?"+q.Encode(), http.StatusSeeOther)
	return nil
}

// safeReturn keeps only local paths, so sign-in can never be used to send
// someone to another site.
func safeReturn(p string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") ||
		strings.ContainsAny(p, "\r\n\t") || strings.HasPrefix(p, "/auth/") || strings.HasPrefix(p, "/staff/") {
		return "/"
	}
	if u, err := url.Parse(p); err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return p
}

// clientIP is the address rate limits count against: the peer, or the
// address a trusted proxy appended to X-Forwarded-For.
func (s *Server) clientIP(r *http.Request) string {
	if s.Config.TrustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			if ip := strings.TrimSpace(parts[len(parts)-1]); net.ParseIP(ip) != nil {
				return ip
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// limit allows the request under a per-minute limit for key, or returns a 429
// error carrying Retry-After.
func (s *Server) limit(r *http.Request, key string, perMinute int) error {
	res, err := s.Auth.Limiter.Allow(r.Context(), key, redis_rate.PerMinute(perMinute))
	if err != nil {
		// Rate limiting is a guard, not a gate: with Redis down the request
		// fails on its own later; don't turn every request into a 503 here.
		s.logger(r).Warn("rate limiter", "err", err)
		return nil
	}
	if res.Allowed == 0 {
		e := *ErrRateLimited
		e.RetryAfter = res.RetryAfter
		if e.RetryAfter < time.Second {
			e.RetryAfter = time.Second
		}
		return &e
	}
	return nil
}

func (s *Server) audit(r *http.Request, e audit.Event) {
	e.RequestID = requestIDFrom(r.Context())
	if err := s.Auth.Audit.Record(r.Context(), e); err != nil {
		s.logger(r).Error("audit", "action", e.Action, "err", err)
	}
}

// signIn starts a sign-in: remember state, nonce and PKCE verifier for ten
// minutes, then send the browser to the provider.
func (s *Server) signIn(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := s.limit(r, "signin:"+s.clientIP(r), s.Config.RateSignIn); err != nil {
			return err
		}
		provider := s.Auth.Patients
		if kind == "staff" {
			provider = s.Auth.Staff
		}
		start, err := rp.NewStart()
		if err != nil {
			return err
		}
		q := r.URL.Query()
		if err := s.Auth.Pending.Save(r.Context(), rp.Login{Start: start, Return: safeReturn(q.Get("return"))}); err != nil {
			return errors.Join(ErrUnavailable, err)
		}
		prompt := q.Get("prompt")
		if prompt != "" && prompt != "login" && prompt != "none" {
			prompt = ""
		}
		http.Redirect(w, r, provider.AuthURL(start, rp.AuthOptions{Prompt: prompt, LoginHint: q.Get("login_hint")}), http.StatusFound)
		return nil
	}
}

// refusal maps a failed callback to an audit reason.
func refusal(err error) string {
	for _, k := range []struct {
		err    error
		reason string
	}{
		{rp.ErrUnknownState, "state"}, {rp.ErrNonce, "nonce"}, {rp.ErrVoT, "vot"}, {rp.ErrIDToken, "id_token"},
		{rp.ErrExchange, "exchange"}, {rp.ErrUserInfo, "userinfo"}, {rp.ErrNHSNumber, "nhs_number"},
	} {
		if errors.Is(err, k.err) {
			return k.reason
		}
	}
	return "error"
}

// callback completes a sign-in: single-use state, code exchange, ID token and
// vector-of-trust checks, then a brand-new session.
func (s *Server) callback(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := s.limit(r, "callback:"+s.clientIP(r), s.Config.RateSignIn); err != nil {
			return err
		}
		ctx := r.Context()
		q := r.URL.Query()
		refuse := func(reason string, err error, kindErr *Error) error {
			s.audit(r, audit.Event{Action: "callback_refused", Outcome: "refused", Reason: kind + ":" + reason})
			s.logger(r).Info("sign-in refused", "kind", kind, "reason", reason, "err", err)
			return kindErr
		}
		login, err := s.Auth.Pending.Take(ctx, q.Get("state"))
		if errors.Is(err, rp.ErrUnknownState) {
			return refuse("state", err, ErrSignInFailed)
		}
		if err != nil {
			return errors.Join(ErrUnavailable, err)
		}
		if e := q.Get("error"); e != "" {
			return refuse("provider_"+e, errors.New(q.Get("error_description")), ErrSignInFailed)
		}
		provider, store := s.Auth.Patients, s.Auth.Sessions
		if kind == "staff" {
			provider, store = s.Auth.Staff, s.Auth.StaffSessions
		}
		id, err := provider.Exchange(ctx, q.Get("code"), login.Start)
		if err != nil {
			return refuse(refusal(err), err, ErrSignInFailed)
		}
		sess := session.Session{UserKey: id.Subject, Kind: kind, Subject: id.Subject, Device: device(r.UserAgent())}
		if kind == "patient" {
			if !nhs.ValidNumber(id.NHSNumber) {
				return refuse("nhs_number", rp.ErrNHSNumber, ErrNHSNumber)
			}
			sess.NHSNumber, sess.GivenName, sess.FamilyName = id.NHSNumber, id.GivenName, id.FamilyName
			sess.BirthDate, sess.ProofingLevel, sess.GPODS = id.BirthDate, id.ProofingLevel, id.GPODS
		} else {
			sess.GivenName, sess.FamilyName = id.GivenName, id.FamilyName
			sess.Roles, sess.RoleODS = staffRoles(id.Claims)
			if len(sess.Roles) == 0 {
				return refuse("no_role", errors.New("no staff role"), ErrForbidden)
			}
		}
		// A new session ID at every sign-in; any session this browser held ends.
		if old, err := r.Cookie(s.cookieName(kind)); err == nil && old.Value != "" {
			_ = store.Delete(ctx, old.Value)
		}
		token, created, err := store.Create(ctx, sess)
		if err != nil {
			return errors.Join(ErrUnavailable, err)
		}
		s.setSessionCookie(w, kind, token)
		// A language the person chose before, on any device, comes back.
		if loc, err := s.Redis.HGet(ctx, prefsKey(id.Subject), "lang").Result(); err == nil && s.Catalogue.Supported(loc) {
			s.setLocaleCookie(w, loc)
		}
		s.audit(r, audit.Event{Action: "sign_in", Outcome: "success", Actor: id.Subject, Session: created.ID, Reason: kind + ":" + id.VoT})
		http.Redirect(w, r, login.Return, http.StatusSeeOther)
		return nil
	}
}

func prefsKey(user string) string { return "companion:prefs:" + user }

// savePreference remembers a signed-in person's language in their settings.
func (s *Server) savePreference(r *http.Request, user, loc string) {
	if err := s.Redis.HSet(r.Context(), prefsKey(user), "lang", loc).Err(); err != nil {
		s.logger(r).Warn("save language preference", "err", err)
	}
}

// staffRoles reads roles from staff claims: "national_admin", or
// "site_admin" with the ODS codes it covers.
func staffRoles(claims map[string]any) (roles, ods []string) {
	list, _ := claims["companion_roles"].([]any)
	for _, v := range list {
		if r, ok := v.(string); ok && (r == "site_admin" || r == "national_admin") {
			roles = append(roles, r)
		}
	}
	codes, _ := claims["companion_ods"].([]any)
	for _, v := range codes {
		if c, ok := v.(string); ok {
			ods = append(ods, c)
		}
	}
	return roles, ods
}

// device summarises a User-Agent for the sessions list, without keeping the
// full string.
func device(ua string) string {
	browser := "Browser"
	for _, b := range []struct{ needle, name string }{
		{"Edg/", "Edge"}, {"SamsungBrowser", "Samsung Internet"}, {"Firefox/", "Firefox"},
		{"Chrome/", "Chrome"}, {"Safari/", "Safari"}, {"curl/", "curl"},
	} {
		if strings.Contains(ua, b.needle) {
			browser = b.name
			break
		}
	}
	for _, o := range []struct{ needle, name string }{
		{"iPhone", "iPhone"}, {"iPad", "iPad"}, {"Android", "Android"}, {"Windows", "Windows"},
		{"Mac OS X", "Mac"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"},
	} {
		if strings.Contains(ua, o.needle) {
			return browser + " on " + o.name
		}
	}
	return browser
}

// signOut ends this session server-side, clears the cookie and asks the
// browser to drop anything cached.
func (s *Server) signOut(kind string, everywhere bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := identityFrom(r.Context(), kind)
		store := s.Auth.Sessions
		if kind == "staff" {
			store = s.Auth.StaffSessions
		}
		if id.unavailable {
			return ErrUnavailable
		}
		if id.session != nil {
			var err error
			if everywhere {
				_, err = store.EndAll(r.Context(), id.session.UserKey)
			} else {
				err = store.Delete(r.Context(), id.token)
			}
			if err != nil {
				return errors.Join(ErrUnavailable, err)
			}
			reason := kind
			if everywhere {
				reason += ":everywhere"
			}
			s.audit(r, audit.Event{Action: "sign_out", Outcome: "success", Actor: id.session.Subject, Session: id.session.ID, Reason: reason})
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
		back := safeReturn(strings.TrimPrefix(r.Referer(), s.Config.PublicURL))
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
		return ErrBadRequest
	}
	for _, p := range []struct {
		rp    *rp.RP
		store *session.Store
	}{{s.Auth.Patients, s.Auth.Sessions}, {s.Auth.Staff, s.Auth.StaffSessions}} {
		sub, err := p.rp.VerifyLogoutToken(r.Context(), r.PostForm.Get("logout_token"))
		if err != nil {
			continue
		}
		n, err := p.store.EndAll(r.Context(), sub)
		if err != nil {
			return errors.Join(ErrUnavailable, err)
		}
		s.audit(r, audit.Event{Action: "sign_out", Outcome: "success", Actor: sub, Reason: "backchannel"})
		s.logger(r).Info("back-channel logout", "sessions", n)
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		return nil
	}
	return ErrBadRequest
}

// userState is the signed-in person as pages see them.
func (s *Server) userState(sess *session.Session) *api.User {
	if sess == nil {
		return nil
	}
	return &api.User{
		Name:          strings.TrimSpace(sess.GivenName + " " + sess.FamilyName),
		ProofingLevel: sess.ProofingLevel,
		IdleDeadline:  sess.IdleDeadline(s.Auth.Sessions.Idle()).UnixMilli(),
		IdleSeconds:   int(s.Auth.Sessions.Idle().Seconds()),
		PatientID:     s.Auth.PatientIDs.For(sess.NHSNumber),
	}
}

// me answers GET /api/v1/me.
func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.requireSession(r, "patient")
	if err != nil {
		return err
	}
	pid := s.Access.Self(actorOf(sess))
	profiles, err := s.profiles(r, sess)
	if err != nil {
		return err
	}
	linked := []api.Profile{}
	for _, p := range profiles {
		if !p.Self {
			linked = append(linked, p)
		}
	}
	me := api.Me{
		Name: strings.TrimSpace(sess.GivenName + " " + sess.FamilyName), GivenName: sess.GivenName, FamilyName: sess.FamilyName,
		BirthDate: sess.BirthDate, ProofingLevel: sess.ProofingLevel, PatientID: pid, GPPractice: sess.GPODS,
		Features: s.features(r, sess, nil), LinkedProfiles: linked,
	}
	if a := s.actingFor(r, sess); a != nil {
		me.ActingFor = a.PatientID
	}
	writeJSON(w, http.StatusOK, me)
	return nil
}

// RequireP9 refuses people who proved their identity only to P5: clinical
// features (record, prescriptions) need P9.
func RequireP9(sess *session.Session) error {
	if sess == nil || sess.ProofingLevel != "P9" {
		return ErrProofingLevel
	}
	return nil
}

func (s *Server) sessionInfos(r *http.Request, sess *session.Session) ([]api.SessionInfo, error) {
	list, err := s.Auth.Sessions.List(r.Context(), sess.UserKey)
	if err != nil {
		return nil, errors.Join(ErrUnavailable, err)
	}
	out := make([]api.SessionInfo, 0, len(list))
	for _, x := range list {
		out = append(out, api.SessionInfo{ID: x.ID, Device: x.Device, Started: x.CreatedAt.UnixMilli(), LastSeen: x.LastSeen.UnixMilli(), Current: x.ID == sess.ID})
	}
	return out, nil
}

// listSessions answers GET /api/v1/sessions.
func (s *Server) listSessions(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.requireSession(r, "patient")
	if err != nil {
		return err
	}
	out, err := s.sessionInfos(r, sess)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// endSession ends one of the person's own sessions (DELETE in the API, a
// form POST from the settings page).
func (s *Server) endSession(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.requireSession(r, "patient")
	if err != nil {
		if r.Method == http.MethodPost {
			return s.signInRedirect(w, r, "patient", err)
		}
		return err
	}
	id := r.PathValue("id")
	if err := s.Auth.Sessions.EndByID(r.Context(), sess.UserKey, id); errors.Is(err, session.ErrNotFound) {
		return ErrNotFound
	} else if err != nil {
		return errors.Join(ErrUnavailable, err)
	}
	s.audit(r, audit.Event{Action: "sign_out", Outcome: "success", Actor: sess.Subject, Session: id, Reason: "ended_from_settings"})
	if id == sess.ID {
		s.clearSessionCookie(w, "patient")
	}
	if r.Method == http.MethodPost {
		http.Redirect(w, r, "/settings", http.StatusSeeOther)
		return nil
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// settingsPage renders /settings with the person's sessions.
func (s *Server) settingsPage(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.requireSession(r, "patient")
	if err != nil {
		return s.signInRedirect(w, r, "patient", err)
	}
	st := s.pageState(r)
	if st.Sessions, err = s.sessionInfos(r, sess); err != nil {
		return err
	}
	if st.Sessions == nil {
		st.Sessions = []api.SessionInfo{}
	}
	return s.Renderer.Render(w, r, http.StatusOK, st, func(st *ui.Store) ui.Page { p, _ := ui.Lookup("/settings", st); return p })
}

// adminPage renders the staff start page: roles, feature flags, history.
func (s *Server) adminPage(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.requireSession(r, "staff")
	if err != nil {
		return s.signInRedirect(w, r, "staff", err)
	}
	return s.renderAdmin(w, r, sess, http.StatusOK, "")
}
