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

func TestRolesFromCIS2Claims(t *testing.T) {
	m := staff.RBAC{SiteAdminRoles: []string{"R8000", "R8008"}, NationalAdmins: []string{"X26:R8015"}, MinAAL: 3}
	role := func(id, org, code string) any {
		return map[string]any{"person_roleid": id, "org_code": org, "role_code": code}
	}
	claims := func(aal any, sel string, roles ...any) map[string]any {
		return map[string]any{"authentication_assurance_level": aal, "selected_roleid": sel, "nhsid_nrbac_roles": roles}
	}
	gp1, admin2 := role("a", "Z00001", "S8000:G8000:R8000"), role("b", "Z00002", "S8002:G8010:R8008")
	for _, tt := range []struct {
		name   string
		claims map[string]any
		roles  string
		ods    string
		err    error
	}{
		{"selected clinician", claims("3", "a", gp1, admin2), "site_admin", "Z00001", nil},
		{"selected admin", claims(3.0, "b", gp1, admin2), "site_admin", "Z00002", nil},
		{"only role", claims("3", "", gp1), "site_admin", "Z00001", nil},
		{"national", claims("3", "n", role("n", "X26", "S8001:G8005:R8015")), "national_admin", "", nil},
		{"support elsewhere", claims("3", "n", role("n", "Z00001", "S8001:G8005:R8015")), "", "", staff.ErrNoStaffRole},
		{"receptionist", claims("3", "r", role("r", "Z00001", "S8002:G8011:R8009")), "", "", staff.ErrNoStaffRole},
		{"no org", claims("3", "a", role("a", "", "S8000:G8000:R8000")), "", "", staff.ErrNoStaffRole},
		{"aal 2", claims("2", "a", gp1), "", "", staff.ErrAssurance},
		{"aal missing", map[string]any{"selected_roleid": "a", "nhsid_nrbac_roles": []any{gp1}}, "", "", staff.ErrAssurance},
		{"aal fraction", claims(2.5, "a", gp1), "", "", staff.ErrAssurance},
		{"two, none selected", claims("3", "", gp1, admin2), "", "", staff.ErrNoSelection},
		{"selected unknown", claims("3", "zz", gp1), "", "", staff.ErrUnknownRole},
		{"no roles", claims("3", ""), "", "", staff.ErrNoStaffRole},
		{"roles not objects", claims("3", "", "R8000", 7), "", "", staff.ErrNoStaffRole},
	} {
		roles, ods, err := m.Roles(tt.claims)
		if strings.Join(roles, ",") != tt.roles || strings.Join(ods, ",") != tt.ods || !errors.Is(err, tt.err) {
			t.Errorf("%s: %v %v %v, want %s %s %v", tt.name, roles, ods, err, tt.roles, tt.ods, tt.err)
		}
		if tt.err != nil && staff.Refusal(err) != tt.err.Error() {
			t.Errorf("%s: refusal %q", tt.name, staff.Refusal(err))
		}
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
