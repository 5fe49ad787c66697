package config

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// StaffRBAC maps NHS CIS2's National RBAC roles to Companion's staff roles.
type StaffRBAC struct {
	SiteAdminRoles []string // STAFF_SITE_ADMIN_ROLES: job role codes
	NationalAdmins []string // STAFF_NATIONAL_ADMINS: ODS:job role pairs
	MessagingRoles []string // STAFF_MESSAGING_ROLES: job role codes
	MinAAL         int      // STAFF_MIN_AAL
}

// sandboxNationalAdmin is the sandbox's national admin: Systems Support
// (R8015) at NHS England (X26).
const sandboxNationalAdmin = "X26:R8015"

var staffVariables = []Variable{
	{"STAFF_SITE_ADMIN_ROLES", "R8000,R8001,R8003,R8008", "National RBAC job roles (the last part of a CIS2 `role_code`) that make a member of staff a site admin of the organisation (`org_code`) of the role they selected at sign-in: R8000 Clinical Practitioner, R8001 Nurse, R8003 Health Professional, R8008 Admin/Clinical Support."},
	{"STAFF_NATIONAL_ADMINS", "(empty; `" + sandboxNationalAdmin + "` in sandbox)", "`ODS:job role` pairs, comma-separated, whose holders are national admins. Empty in production means nobody is."},
	{"STAFF_MIN_AAL", "3", "The least CIS2 `authentication_assurance_level` staff sign in with (3: smartcard or as strong)."},
}

var (
	jobRole     = regexp.MustCompile(`^R[0-9]{4}$`)
	orgJobRole  = regexp.MustCompile(`^[A-Z0-9]{3,10}:R[0-9]{4}$`)
	listSpacing = regexp.MustCompile(`\s*,\s*`)
)

func loadStaffRBAC(get func(name, def string) string, env Env) (StaffRBAC, []error) {
	var errs []error
	list := func(name, def string, re *regexp.Regexp) []string {
		v := strings.TrimSpace(get(name, def))
		if v == "" {
			return nil
		}
		out := listSpacing.Split(v, -1)
		for _, x := range out {
			if !re.MatchString(x) {
				errs = append(errs, fmt.Errorf("%s: %q is not of the form %s", name, x, re))
			}
		}
		return out
	}
	national := ""
	if env == EnvSandbox {
		national = sandboxNationalAdmin
	}
	r := StaffRBAC{
		SiteAdminRoles: list("STAFF_SITE_ADMIN_ROLES", "R8000,R8001,R8003,R8008", jobRole),
		NationalAdmins: list("STAFF_NATIONAL_ADMINS", national, orgJobRole),
		MessagingRoles: list("STAFF_MESSAGING_ROLES", "R8010", jobRole),
	}
	aal, err := strconv.Atoi(get("STAFF_MIN_AAL", "3"))
	if err != nil || aal < 1 || aal > 3 {
		errs = append(errs, fmt.Errorf("STAFF_MIN_AAL must be 1, 2 or 3, got %q", get("STAFF_MIN_AAL", "")))
	}
	r.MinAAL = aal
	return r, errs
}
