package server

import (
	"net/http"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/ui"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/fault"
)

// plainPage renders a page of the app's table that any visitor may open,
// filled in by fill (nil for no data of its own) for a signed-in person. A
// browser holding an ended session is sent to sign in again, to come back.
func (s *Server) plainPage(w http.ResponseWriter, r *http.Request, fill func(*api.PageState)) error {
	id := identityFrom(r.Context(), "patient")
	if id.unavailable {
		return fault.ErrUnavailable
	}
	if id.stale && r.URL.Path != "/signed-out" {
		return s.signInRedirect(w, r, "patient", fault.ErrSessionExpired)
	}
	if _, ok := ui.Lookup(r.URL.Path, &ui.Store{Catalogue: s.Catalogue}); !ok {
		return fault.ErrNotFound
	}
	st := s.pageState(r)
	if fill != nil && id.session != nil {
		fill(&st)
	}
	return s.renderPage(w, r, st)
}

// renderPage renders the routed page for the request's path from st.
func (s *Server) renderPage(w http.ResponseWriter, r *http.Request, st api.PageState) error {
	path := r.URL.Path
	return s.Renderer.Render(w, r, http.StatusOK, st, func(st *ui.Store) ui.Page { p, _ := ui.Lookup(path, st); return p })
}

// homePage renders /: for a signed-in person, the news of whoever they act
// for (prescriptions on their way, replies from the practice), from the one
// authorisation of that profile, narrowed to each feature.
func (s *Server) homePage(w http.ResponseWriter, r *http.Request) error {
	return s.plainPage(w, r, func(st *api.PageState) {
		if p, err := s.current(r, identityFrom(r.Context(), "patient").session); err == nil {
			s.homeNews(r, p, st)
		}
	})
}

// homeNews fills in the home page's notifications and recent requests to
// the practice, as far as the person may see them.
func (s *Server) homeNews(r *http.Request, p *access.Patient, st *api.PageState) {
	ctx := r.Context()
	if c, err := p.Narrow(ctx, contactNeed); err == nil {
		if st.ContactRequests, err = s.Contact.Recent(ctx, c); err != nil {
			s.Logger.WarnContext(ctx, "home contact requests", "err", err)
		}
	}
	if x, err := p.Narrow(ctx, waitlistNeed); err == nil {
		if st.WaitlistOffers, err = s.Booking.WaitlistOffers(ctx, x); err != nil {
			s.Logger.WarnContext(ctx, "home waitlist offers", "err", err)
		}
	}
	if x, err := p.Narrow(ctx, prescriptions); err == nil {
		if st.Notifications, err = s.Prescribing.Notifications(ctx, x); err != nil {
			s.Logger.WarnContext(ctx, "home notifications", "err", err)
		}
	}
	var err error
	if st.Entries, err = s.Notify.Entries(ctx, p); err != nil {
		s.Logger.WarnContext(ctx, "home notification entries", "err", err)
	}
}

// settingsPage renders /settings with the person's sessions.
func (s *Server) settingsPage(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.pageSession(w, r, "patient")
	if sess == nil {
		return err
	}
	st := s.pageState(r)
	if st.Sessions, err = s.Auth.Sessions.Infos(r.Context(), sess.UserKey, sess.ID); err != nil {
		return fault.Unreachable(err)
	}
	return s.renderPage(w, r, st)
}

// profilesPage renders /profiles: the people the person can act for.
func (s *Server) profilesPage(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.pageSession(w, r, "patient")
	if sess == nil {
		return err
	}
	st := s.pageState(r)
	if st.Profiles, err = s.Profiles.List(r.Context(), actorOf(sess), sess.ActingFor); err != nil {
		return err
	}
	return s.renderPage(w, r, st)
}

// activityPage renders /activity: who has accessed the person's own record.
func (s *Server) activityPage(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	list, err := s.Profiles.Activity(r.Context(), p)
	if err != nil {
		return err
	}
	st := s.pageState(r)
	st.Activity = list
	return s.renderPage(w, r, st)
}

// switchProfile makes the session act for the patient (or the person
// themselves again), then goes home, where the banner names them.
func (s *Server) switchProfile(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	pid, action := p.ID(), "switch_profile"
	if p.Self() {
		pid, action = "", "switch_back"
	}
	if err := s.Auth.Sessions.SetActingFor(r.Context(), identityFrom(r.Context(), "patient").token, pid); err != nil {
		return fault.Unreachable(err)
	}
	s.Audit.Record(r.Context(), p.Event(action, "success", "", ""))
	http.Redirect(w, r, "/", http.StatusSeeOther)
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
	if err := s.endOwnSession(r, sess, id); err != nil {
		return err
	}
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
