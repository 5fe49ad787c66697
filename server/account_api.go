package server

import (
	"errors"
	"net/http"
	"strings"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/auth/session"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/audit"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/profiles"
)

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
	list, err := s.Profiles.List(r.Context(), actorOf(sess), sess.ActingFor)
	if err != nil {
		return err
	}
	linked := []api.Profile{}
	for _, p := range list {
		if !p.Self {
			linked = append(linked, p)
		}
	}
	me := api.Me{
		Name: strings.TrimSpace(sess.GivenName + " " + sess.FamilyName), GivenName: sess.GivenName, FamilyName: sess.FamilyName,
		BirthDate: sess.BirthDate, ProofingLevel: sess.ProofingLevel, PatientID: s.Access.Self(actorOf(sess)), GPPractice: sess.GPODS,
		Features: s.ownFeatures(r, sess), LinkedProfiles: linked,
	}
	if a := s.actingFor(r, sess); a != nil {
		me.ActingFor = a.PatientID
	}
	writeJSON(w, http.StatusOK, me)
	return nil
}

// endOwnSession ends one of the person's sessions by ID, audited.
func (s *Server) endOwnSession(r *http.Request, sess *session.Session, id string) error {
	if err := s.Auth.Sessions.EndByID(r.Context(), sess.UserKey, id); errors.Is(err, session.ErrNotFound) {
		return fault.ErrNotFound
	} else if err != nil {
		return fault.Unreachable(err)
	}
	s.Audit.Record(r.Context(), audit.Event{Action: "sign_out", Outcome: "success", Actor: sess.Subject, Session: id, Reason: "ended_from_settings"})
	return nil
}

// listSessions answers GET /api/v1/sessions.
func (s *Server) listSessions(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.requireSession(r, "patient")
	if err != nil {
		return err
	}
	out, err := s.Auth.Sessions.Infos(r.Context(), sess.UserKey, sess.ID)
	if err != nil {
		return fault.Unreachable(err)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiPatient answers GET /api/v1/patients/{pid}: who the patient is and what
// the person may do for them.
func (s *Server) apiPatient(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	writeJSON(w, http.StatusOK, profiles.Of(p))
	return nil
}

// apiActivity answers GET /api/v1/patients/{pid}/activity.
func (s *Server) apiActivity(w http.ResponseWriter, r *http.Request, p *access.Patient) error {
	list, err := s.Profiles.Activity(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list)
	return nil
}
