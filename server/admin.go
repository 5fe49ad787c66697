package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/ui"
	"github.com/nhs-companion/companion/auth/session"
	"github.com/nhs-companion/companion/server/audit"
	"github.com/nhs-companion/companion/server/flags"
)

// Error kinds for flag changes.
var (
	ErrReasonRequired = &Error{Status: http.StatusBadRequest, Code: "reason_required", MessageID: "admin.error.reason"}
	ErrOutOfScope     = &Error{Status: http.StatusForbidden, Code: "forbidden", MessageID: "admin.error.scope"}
)

// ErrFeatureDisabled is the answer for a feature switched off for the patient
// being acted for: 404, as if the feature did not exist there.
var ErrFeatureDisabled = &Error{Status: http.StatusNotFound, Code: "feature_disabled", MessageID: "error.notFound"}

// RequireFeature is the flag step of authorising access to patient data:
// every page and API of a feature calls it for the patient being acted for.
func (s *Server) RequireFeature(r *http.Request, name flags.Name, sub flags.Subject) error {
	if !s.Flags.Enabled(r.Context(), name, sub) {
		return ErrFeatureDisabled
	}
	return nil
}

// maxReason bounds a change's reason.
const maxReason = 500

// FlagChange is a requested change to one flag (PUT /api/v1/admin/flags/{name}
// and the admin page's forms). Exactly one of Practice, ICB, Kill or
// Percentage is set.
type FlagChange struct {
	Practice   string `json:"practice,omitempty"`
	ICB        string `json:"icb,omitempty"`
	Enabled    *bool  `json:"enabled,omitempty"`
	Kill       *bool  `json:"kill,omitempty"`
	Percentage *int   `json:"percentage,omitempty"`
	Reason     string `json:"reason"`
}

func isNational(sess *session.Session) bool { return slices.Contains(sess.Roles, "national_admin") }

// changeFlag checks the staff member may make the change, then applies it.
// A site admin may switch flags for their own practices only; the kill
// switch, ICB rules and rollout percentages are national decisions.
func (s *Server) changeFlag(r *http.Request, sess *session.Session, name flags.Name, c FlagChange) (flags.Change, error) {
	c.Reason = strings.TrimSpace(c.Reason)
	if c.Reason == "" || utf8.RuneCountInString(c.Reason) > maxReason {
		return flags.Change{}, ErrReasonRequired
	}
	if !flags.Known(name) {
		return flags.Change{}, ErrNotFound
	}
	set := 0
	for _, b := range []bool{c.Practice != "", c.ICB != "", c.Kill != nil, c.Percentage != nil} {
		if b {
			set++
		}
	}
	if set != 1 || ((c.Practice != "" || c.ICB != "") && c.Enabled == nil) {
		return flags.Change{}, ErrBadRequest
	}
	switch {
	case c.Practice != "":
		if !isNational(sess) && !slices.Contains(sess.RoleODS, c.Practice) {
			return flags.Change{}, ErrOutOfScope
		}
		if _, err := s.GP.Practice(r.Context(), c.Practice); err != nil {
			return flags.Change{}, ErrBadRequest
		}
	case !isNational(sess):
		return flags.Change{}, ErrOutOfScope
	case c.Percentage != nil && (*c.Percentage < 0 || *c.Percentage > 100):
		return flags.Change{}, ErrBadRequest
	}
	change, err := s.Flags.Update(r.Context(), name, sess.Subject, c.Reason, func(rule flags.Rule) (flags.Rule, error) {
		switch {
		case c.Practice != "":
			rule.Practices[c.Practice] = *c.Enabled
		case c.ICB != "":
			rule.ICBs[c.ICB] = *c.Enabled
		case c.Kill != nil:
			rule.Kill = *c.Kill
		default:
			rule.Percentage = *c.Percentage
		}
		return rule, nil
	})
	if err != nil {
		return flags.Change{}, errors.Join(ErrUnavailable, err)
	}
	s.audit(r, audit.Event{Action: "flag_change", Outcome: "success", Actor: sess.Subject, Session: sess.ID, Reason: string(name)})
	return change, nil
}

// flagView is a flag as the staff member may see it: only their practices,
// unless they are a national admin.
func (s *Server) flagViews(r *http.Request, sess *session.Session) ([]api.FlagView, error) {
	rules, err := s.Flags.Rules(r.Context())
	if err != nil {
		return nil, errors.Join(ErrUnavailable, err)
	}
	practices := sess.RoleODS
	if isNational(sess) {
		if practices, err = s.GP.PracticeCodes(r.Context()); err != nil {
			return nil, errors.Join(ErrUnavailable, err)
		}
	}
	out := make([]api.FlagView, 0, len(flags.All))
	for _, n := range flags.All {
		rule := rules[n]
		v := api.FlagView{Name: string(n), Kill: rule.Kill, Percentage: rule.Percentage, Practices: map[string]bool{}}
		for _, p := range practices {
			v.Practices[p] = rule.Practices[p]
		}
		if isNational(sess) {
			v.ICBs = rule.ICBs
		}
		out = append(out, v)
	}
	return out, nil
}

// apiFlags answers GET /api/v1/admin/flags.
func (s *Server) apiFlags(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.requireSession(r, "staff")
	if err != nil {
		return err
	}
	views, err := s.flagViews(r, sess)
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
	var c FlagChange
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return ErrBadRequest
	}
	change, err := s.changeFlag(r, sess, flags.Name(r.PathValue("name")), c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, change)
	return nil
}

// adminFlagForm handles the admin page's change forms.
func (s *Server) adminFlagForm(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.requireSession(r, "staff")
	if err != nil {
		return s.signInRedirect(w, r, "staff", err)
	}
	if err := r.ParseForm(); err != nil {
		return ErrBadRequest
	}
	f := r.PostForm
	c := FlagChange{Reason: f.Get("reason")}
	switch f.Get("scope") {
	case "practice":
		on := f.Get("value") == "on"
		c.Practice, c.Enabled = f.Get("practice"), &on
	case "kill":
		on := f.Get("value") == "on"
		c.Kill = &on
	case "percentage":
		n, err := strconv.Atoi(f.Get("value"))
		if err != nil {
			return ErrBadRequest
		}
		c.Percentage = &n
	}
	name := r.PathValue("name")
	if _, err := s.changeFlag(r, sess, flags.Name(name), c); err != nil {
		if errors.Is(err, ErrReasonRequired) {
			return s.renderAdmin(w, r, sess, http.StatusUnprocessableEntity, name+"-"+f.Get("scope")+"-"+f.Get("practice"))
		}
		return err
	}
	http.Redirect(w, r, "/admin#flag-"+name, http.StatusSeeOther)
	return nil
}

func (s *Server) renderAdmin(w http.ResponseWriter, r *http.Request, sess *session.Session, status int, invalid string) error {
	st := s.pageState(r)
	st.User, st.Features = nil, nil
	st.Staff = &api.Staff{Name: strings.TrimSpace(sess.GivenName + " " + sess.FamilyName), Roles: sess.Roles, Practices: sess.RoleODS,
		National: isNational(sess), InvalidForm: invalid}
	var err error
	if st.Staff.Flags, err = s.flagViews(r, sess); err != nil {
		return err
	}
	history, err := s.Flags.History(r.Context(), 20)
	if err != nil {
		return errors.Join(ErrUnavailable, err)
	}
	for _, h := range history {
		if !isNational(sess) && !touches(h, sess.RoleODS) {
			continue
		}
		st.Staff.History = append(st.Staff.History, api.FlagChangeView{
			Time: h.Time.UnixMilli(), Flag: string(h.Flag), Actor: h.Actor, Reason: h.Reason,
			Before: describeRule(h.Before), After: describeRule(h.After),
		})
	}
	return s.Renderer.RenderServerOnly(w, r, status, st, ui.StaffHome)
}

// touches reports whether a change concerned any of the practices.
func touches(c flags.Change, practices []string) bool {
	for _, p := range practices {
		if c.Before.Practices[p] != c.After.Practices[p] {
			return true
		}
	}
	return false
}

// describeRule is a rule in a stable, readable form for the history.
func describeRule(r flags.Rule) string {
	var parts []string
	if r.Kill {
		parts = append(parts, "kill")
	}
	keys := make([]string, 0, len(r.Practices))
	for k := range r.Practices {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		parts = append(parts, k+"="+onOff(r.Practices[k]))
	}
	icbs := make([]string, 0, len(r.ICBs))
	for k := range r.ICBs {
		icbs = append(icbs, k)
	}
	slices.Sort(icbs)
	for _, k := range icbs {
		parts = append(parts, "icb:"+k+"="+onOff(r.ICBs[k]))
	}
	parts = append(parts, strconv.Itoa(r.Percentage)+"%")
	return strings.Join(parts, " ")
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
