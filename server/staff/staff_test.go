package staff_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nhs-companion/companion/auth/session"
	"github.com/nhs-companion/companion/internal/featuretest"
	"github.com/nhs-companion/companion/server/consult"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/flags"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/gp/sandbox"
	"github.com/nhs-companion/companion/server/staff"
)

func TestSettingsFormBoundsNumbers(t *testing.T) {
	form := map[string]string{"hours": "Mon-Fri 08:00-18:30", "cap-medical": "40", "cap-medication": "30", "cap-admin": "60", "patient_daily": "2", "reason": "r"}
	get := func(k string) string { return form[k] }
	in, field, err := staff.SettingsForm(get)
	if err != nil || in.Caps["medical"] != 40 || in.PatientDaily != 2 {
		t.Fatalf("good form: %+v %q %v", in, field, err)
	}
	for _, bad := range []struct{ key, value string }{{"cap-admin", "-1"}, {"cap-medical", "100001"}, {"patient_daily", "two"}, {"cap-medication", ""}} {
		old := form[bad.key]
		form[bad.key] = bad.value
		if _, field, err := staff.SettingsForm(get); !errors.Is(err, staff.ErrBadNumber) || field != bad.key {
			t.Errorf("%s=%q: field %q, %v", bad.key, bad.value, field, err)
		}
		form[bad.key] = old
	}
}

func TestFlagFormAndReason(t *testing.T) {
	c, err := staff.FlagForm(form{"scope": "practice", "practice": "Z00001", "value": "on", "reason": "pilot"}.get)
	if err != nil || c.Practice != "Z00001" || c.Enabled == nil || !*c.Enabled {
		t.Errorf("practice form: %+v %v", c, err)
	}
	if _, err := staff.FlagForm(form{"scope": "percentage", "value": "half"}.get); !errors.Is(err, fault.ErrBadRequest) {
		t.Errorf("percentage form: %v", err)
	}
	for _, r := range []string{"", "   ", strings.Repeat("r", 501), "bad\x1b[31m"} {
		if _, err := staff.Reason(r); !errors.Is(err, staff.ErrReasonRequired) {
			t.Errorf("Reason(%q): %v", r, err)
		}
	}
	if got, err := staff.Reason(" go live "); got != "go live" || err != nil {
		t.Errorf("Reason: %q %v", got, err)
	}
}

type form map[string]string

func (f form) get(k string) string { return f[k] }

func TestRolesFromClaims(t *testing.T) {
	roles, ods := staff.Roles(map[string]any{"companion_roles": []any{"site_admin", "superuser", 7}, "companion_ods": []any{"Z00001", 3}})
	if len(roles) != 1 || roles[0] != "site_admin" || len(ods) != 1 || ods[0] != "Z00001" {
		t.Errorf("Roles = %v %v", roles, ods)
	}
}

// TestChangeFlagScope: a site admin switches their own practice only;
// national decisions are national admins'; every change is audited.
func TestChangeFlagScope(t *testing.T) {
	e := featuretest.MustStart(t)
	ctx := context.Background()
	store := flags.NewStore(e.Redis, "ft:", time.Second, e.Log)
	s := &staff.Service{GP: e.GP, Flags: store, IDs: e.Gate.IDs, Audit: e.Trail,
		Contact: &consult.Service{Store: consult.NewStore(e.Redis, "ft:contact:", consult.DefaultSettings, time.Hour), Idem: e.Idem, Audit: e.Trail, Log: e.Log}}
	site := &session.Session{Subject: "site", Roles: []string{"site_admin"}, RoleODS: []string{sandbox.PilotPractice}}
	national := &session.Session{Subject: "nat", Roles: []string{"national_admin"}}
	on, kill, pct := true, true, 150
	for _, tt := range []struct {
		name string
		sess *session.Session
		c    staff.FlagChange
		err  error
	}{
		{"own practice", site, staff.FlagChange{Practice: sandbox.PilotPractice, Enabled: &on, Reason: "pilot"}, nil},
		{"another practice", site, staff.FlagChange{Practice: sandbox.NonPilotPractice, Enabled: &on, Reason: "x"}, staff.ErrOutOfScope},
		{"kill switch by a site admin", site, staff.FlagChange{Kill: &kill, Reason: "x"}, staff.ErrOutOfScope},
		{"no reason", national, staff.FlagChange{Kill: &kill}, staff.ErrReasonRequired},
		{"an ANSI escape in the reason", national, staff.FlagChange{Kill: &kill, Reason: "\x1b[31mred"}, staff.ErrReasonRequired},
		{"an override in the reason", national, staff.FlagChange{Kill: &kill, Reason: "ok\u202Eon"}, staff.ErrReasonRequired},
		{"two scopes", national, staff.FlagChange{Kill: &kill, ICB: "QZZ01", Enabled: &on, Reason: "x"}, fault.ErrBadRequest},
		{"percentage over 100", national, staff.FlagChange{Percentage: &pct, Reason: "x"}, fault.ErrBadRequest},
		{"unknown practice", national, staff.FlagChange{Practice: "Q99999", Enabled: &on, Reason: "x"}, fault.ErrBadRequest},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.ChangeFlag(ctx, tt.sess, flags.Record, tt.c)
			if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
				t.Errorf("err = %v, want %v", err, tt.err)
			}
		})
	}
	if _, err := s.ChangeFlag(ctx, national, "no_such_flag", staff.FlagChange{Kill: &kill, Reason: "x"}); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("unknown flag: %v", err)
	}
	if !e.Audit.Has("flag_change", "success", string(flags.Record)) {
		t.Errorf("change not audited: %+v", e.Audit.Events)
	}
	if _, err := s.Practice(ctx, site, sandbox.NonPilotPractice); !errors.Is(err, staff.ErrOutOfScope) {
		t.Errorf("inbox of another practice: %v", err)
	}
	if _, err := s.Practice(ctx, national, ""); !errors.Is(err, staff.ErrOutOfScope) {
		t.Errorf("national admin has no inbox: %v", err)
	}
	if err := s.Respond(ctx, site, mustPractice(t, s, site), "r1", " "); !errors.Is(err, staff.ErrReplyRequired) {
		t.Errorf("empty reply: %v", err)
	}
}

func mustPractice(t *testing.T, s *staff.Service, sess *session.Session) gp.Practice {
	t.Helper()
	p, err := s.Practice(context.Background(), sess, "")
	if err != nil {
		t.Fatal(err)
	}
	return p
}
