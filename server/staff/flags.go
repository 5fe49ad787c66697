package staff

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/auth/session"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/flags"
)

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

// ChangeFlag checks the member of staff may make the change, then applies
// it. A site admin may switch flags for their own practices only; the kill
// switch, ICB rules and rollout percentages are national decisions.
func (s *Service) ChangeFlag(ctx context.Context, sess *session.Session, name flags.Name, c FlagChange) (flags.Change, error) {
	var err error
	if c.Reason, err = Reason(c.Reason); err != nil {
		return flags.Change{}, err
	}
	if !flags.Known(name) {
		return flags.Change{}, fault.ErrNotFound
	}
	set := 0
	for _, b := range []bool{c.Practice != "", c.ICB != "", c.Kill != nil, c.Percentage != nil} {
		if b {
			set++
		}
	}
	if set != 1 || ((c.Practice != "" || c.ICB != "") && c.Enabled == nil) {
		return flags.Change{}, fault.ErrBadRequest
	}
	switch {
	case c.Practice != "":
		if !National(sess) && !holds(sess, "site_admin", c.Practice) {
			return flags.Change{}, ErrOutOfScope
		}
		if _, err := s.GP.Practice(ctx, c.Practice); err != nil {
			return flags.Change{}, fault.ErrBadRequest
		}
	case !National(sess):
		return flags.Change{}, ErrOutOfScope
	case c.Percentage != nil && (*c.Percentage < 0 || *c.Percentage > 100):
		return flags.Change{}, fault.ErrBadRequest
	}
	change, err := s.Flags.Update(ctx, name, sess.Subject, c.Reason, func(rule flags.Rule) (flags.Rule, error) {
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
		return flags.Change{}, fault.Unreachable(err)
	}
	s.record(ctx, sess, "flag_change", string(name), "")
	return change, nil
}

// FlagForm reads one of the admin page's change forms (get reads a field).
func FlagForm(get func(string) string) (FlagChange, error) {
	c := FlagChange{Reason: get("reason")}
	switch get("scope") {
	case "practice":
		on := get("value") == "on"
		c.Practice, c.Enabled = get("practice"), &on
	case "kill":
		on := get("value") == "on"
		c.Kill = &on
	case "percentage":
		n, err := strconv.Atoi(get("value"))
		if err != nil {
			return c, fault.ErrBadRequest
		}
		c.Percentage = &n
	}
	return c, nil
}

// FlagViews are the flags as the member of staff may see them: only their
// practices, unless they are a national admin.
func (s *Service) FlagViews(ctx context.Context, sess *session.Session) ([]api.FlagView, error) {
	rules, err := s.Flags.Rules(ctx)
	if err != nil {
		return nil, fault.Unreachable(err)
	}
	var practices []string
	if slices.Contains(sess.Roles, "site_admin") {
		practices = sess.RoleODS
	}
	if National(sess) {
		if practices, err = s.GP.PracticeCodes(ctx); err != nil {
			return nil, fault.Unreachable(err)
		}
	}
	out := make([]api.FlagView, 0, len(flags.All))
	for _, n := range flags.All {
		rule := rules[n]
		v := api.FlagView{Name: string(n), Kill: rule.Kill, Percentage: rule.Percentage, Practices: map[string]bool{}}
		for _, p := range practices {
			v.Practices[p] = rule.Practices[p]
		}
		if National(sess) {
			v.ICBs = rule.ICBs
		}
		out = append(out, v)
	}
	return out, nil
}

// historyShown is how many flag changes the admin page lists.
const historyShown = 20

// Home is the staff start page: who they are, the flags they may see and
// the changes that concern them. invalid names the form that was refused.
func (s *Service) Home(ctx context.Context, sess *session.Session, invalid string) (*api.Staff, error) {
	st := Member(sess)
	st.InvalidForm = invalid
	var err error
	if st.Flags, err = s.FlagViews(ctx, sess); err != nil {
		return nil, err
	}
	history, err := s.Flags.History(ctx, historyShown)
	if err != nil {
		return nil, fault.Unreachable(err)
	}
	for _, h := range history {
		if !National(sess) && !touches(h, sess.RoleODS) {
			continue
		}
		st.History = append(st.History, api.FlagChangeView{
			Time: h.Time.UnixMilli(), Flag: string(h.Flag), Actor: h.Actor, Reason: h.Reason,
			Before: describeRule(h.Before), After: describeRule(h.After),
		})
	}
	return st, nil
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
	for _, k := range sortedKeys(r.Practices) {
		parts = append(parts, k+"="+onOff(r.Practices[k]))
	}
	for _, k := range sortedKeys(r.ICBs) {
		parts = append(parts, "icb:"+k+"="+onOff(r.ICBs[k]))
	}
	parts = append(parts, strconv.Itoa(r.Percentage)+"%")
	return strings.Join(parts, " ")
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
