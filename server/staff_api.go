package server

import (
	"net/http"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/server/flags"
	"github.com/nhs-companion/companion/server/staff"
)

// apiFlags answers GET /api/v1/admin/flags.
func (s *Server) apiFlags(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.requireSession(r, "staff")
	if err != nil {
		return err
	}
	views, err := s.Staff.FlagViews(r.Context(), sess)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, views)
	return nil
}

// apiPutFlag answers PUT /api/v1/admin/flags/{name}.
func (s *Server) apiPutFlag(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.requireSession(r, "staff")
	if err != nil {
		return err
	}
	var c staff.FlagChange
	if err := decodeJSON(r, &c); err != nil {
		return err
	}
	change, err := s.Staff.ChangeFlag(r.Context(), sess, flags.Name(r.PathValue("name")), c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, change)
	return nil
}

// apiInbox answers GET /api/v1/admin/inbox?practice=.
func (s *Server) apiInbox(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.requireSession(r, "staff")
	if err != nil {
		return err
	}
	practice, err := s.Staff.Practice(r.Context(), sess, r.URL.Query().Get("practice"))
	if err != nil {
		return err
	}
	box, err := s.Staff.Inbox(r.Context(), practice)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, box)
	return nil
}

// apiContactSettings answers PUT /api/v1/admin/practices/{ods}/contact: a
// practice's opening windows, daily caps and per-patient limit.
func (s *Server) apiContactSettings(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.requireSession(r, "staff")
	if err != nil {
		return err
	}
	practice, err := s.Staff.Practice(r.Context(), sess, r.PathValue("ods"))
	if err != nil {
		return err
	}
	var in api.ContactSettings
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if err := s.Staff.SaveSettings(r.Context(), sess, practice, in); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
