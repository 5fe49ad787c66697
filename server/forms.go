package server

import (
	"net/http"
	"slices"

	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/audit"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/reqstate"
)

// Question pages (ordering repeats, contacting the practice) keep their
// answers in a draft on the server and end in a check page whose Send
// button carries an idempotency key. These helpers are their shared steps.

// draftOwner is whose drafts a request reads: this session's, for this
// patient.
func (s *Server) draftOwner(r *http.Request, p *access.Patient) reqstate.Owner {
	return reqstate.Owner{Session: audit.Session(r.Context()), Patient: p.ID()}
}

// sent remembers what the draft became, so pressing Send again shows the
// same confirmation, then goes there.
func (s *Server) sent(w http.ResponseWriter, r *http.Request, form string, o reqstate.Owner, draft any, to string) error {
	if err := s.Drafts.Save(r.Context(), form, o, draft); err != nil {
		s.Logger.WarnContext(r.Context(), "keep sent draft", "err", err)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// advance keeps the draft and goes to the next step, or, when the form did
// not move on (a step submitted out of turn), back to the furthest step the
// draft allows.
func (s *Server) advance(w http.ResponseWriter, r *http.Request, form string, o reqstate.Owner, draft any, next, reached string) error {
	if next == "" {
		http.Redirect(w, r, reached, http.StatusSeeOther)
		return nil
	}
	if err := s.Drafts.Save(r.Context(), form, o, draft); err != nil {
		return err
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// askedStep is the step of a question page the query asks for (the first
// when it names none): an unknown step is not found, and one beyond the
// furthest the draft allows (reached) is answered with false, to send the
// person back there.
func askedStep[S ~string](steps []S, asked, reached S) (S, bool, error) {
	if asked == "" {
		asked = steps[0]
	}
	if !slices.Contains(steps, asked) {
		return "", false, fault.ErrNotFound
	}
	return asked, slices.Index(steps, asked) <= slices.Index(steps, reached), nil
}

// sendFailed handles a refused Send on a check page: our own failures are
// returned as they are; for a refusal the draft keeps a fresh idempotency
// key (key points into it), so the corrected request is a new one.
func (s *Server) sendFailed(r *http.Request, form string, o reqstate.Owner, draft any, key *string, err error) error {
	if fault.Ours(err) {
		return err
	}
	*key = reqstate.NewKey()
	return s.Drafts.Save(r.Context(), form, o, draft)
}
