package staff

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Why a member of staff signed in to NHS CIS2 gets no Companion role; each
// is the audit reason for the refusal.
var (
	ErrAssurance    = errors.New("aal")              // authentication weaker than required
	ErrNoSelection  = errors.New("no_selected_role") // several roles and none selected
	ErrUnknownRole  = errors.New("selected_role")    // selected_roleid names none of their roles
	ErrNoStaffRole  = errors.New("no_role")          // no role, or the selected one maps to nothing here
	errClaimMissing = errors.New("claim missing")
)

// RBAC maps NHS CIS2 claims to Companion's staff roles. CIS2 sends the
// person's National RBAC roles in nhsid_nrbac_roles (scope
// nationalrbacaccess): each names the organisation (org_code, its ODS code)
// and a role code "Sxxxx:Gxxxx:Rxxxx" whose last part is the national job
// role. The person works in one role per session, picked at sign-in and
// named by selected_roleid (scope selectedrole); only that role counts.
type RBAC struct {
	// SiteAdminRoles are the job role codes (R8000 Clinical Practitioner,
	// R8008 Admin/Clinical Support…) that make a site admin of the
	// organisation the role is held at.
	SiteAdminRoles []string
	// NationalAdmins are "ODS:job role" pairs (X26:R8015, say) that make a
	// national admin.
	NationalAdmins []string
	// MessagingRoles are the job role codes (R8010 Clerical Worker…) that
	// make a member of staff who writes to the organisation's patients and
	// reads their replies, and does nothing else here.
	MessagingRoles []string
	// MinAAL is the least authentication_assurance_level accepted (3 is a
	// smartcard or an authenticator as strong).
	MinAAL int
}

// Scopes are what staff sign-in asks CIS2 for.
var Scopes = []string{"openid", "profile", "nationalrbacaccess", "selectedrole"}

// Role is one National RBAC role as nhsid_nrbac_roles carries it.
type Role struct {
	ID   string `json:"person_roleid"`
	Org  string `json:"org_code"`
	Code string `json:"role_code"`
	Name string `json:"role_name"`
}

// JobRole is the national job role: the role code's last part.
func (r Role) JobRole() string {
	parts := strings.Split(r.Code, ":")
	return parts[len(parts)-1]
}

// Roles reads the Companion roles a CIS2 sign-in carries: "national_admin",
// or "site_admin" or "messaging" with the ODS code of the organisation the selected role
// is held at. An error says why there are none.
func (m RBAC) Roles(claims map[string]any) (roles, ods []string, err error) {
	aal, err := level(claims["authentication_assurance_level"])
	if err != nil || aal < m.MinAAL {
		return nil, nil, fmt.Errorf("%w: authentication_assurance_level %v, need %d", ErrAssurance, claims["authentication_assurance_level"], m.MinAAL)
	}
	role, err := selected(claims)
	if err != nil {
		return nil, nil, err
	}
	job := role.JobRole()
	switch {
	case role.Org != "" && slices.Contains(m.NationalAdmins, role.Org+":"+job):
		return []string{"national_admin"}, nil, nil
	case role.Org != "" && slices.Contains(m.SiteAdminRoles, job):
		return []string{"site_admin"}, []string{role.Org}, nil
	case role.Org != "" && slices.Contains(m.MessagingRoles, job):
		return []string{"messaging"}, []string{role.Org}, nil
	}
	return nil, nil, fmt.Errorf("%w: %s at %s", ErrNoStaffRole, job, role.Org)
}

// selected is the role the person chose at sign-in, or their only one.
func selected(claims map[string]any) (Role, error) {
	list, _ := claims["nhsid_nrbac_roles"].([]any)
	var all []Role
	for _, v := range list {
		o, ok := v.(map[string]any)
		if !ok {
			continue
		}
		r := Role{}
		r.ID, _ = o["person_roleid"].(string)
		r.Org, _ = o["org_code"].(string)
		r.Code, _ = o["role_code"].(string)
		r.Name, _ = o["role_name"].(string)
		if r.ID != "" && r.Code != "" {
			all = append(all, r)
		}
	}
	want, _ := claims["selected_roleid"].(string)
	switch {
	case want != "":
		for _, r := range all {
			if r.ID == want {
				return r, nil
			}
		}
		return Role{}, fmt.Errorf("%w: %q", ErrUnknownRole, want)
	case len(all) == 1:
		return all[0], nil
	case len(all) == 0:
		return Role{}, fmt.Errorf("%w: nhsid_nrbac_roles", ErrNoStaffRole)
	}
	return Role{}, ErrNoSelection
}

// level reads an assurance level CIS2 sends as "3" or 3.
func level(v any) (int, error) {
	switch x := v.(type) {
	case string:
		return strconv.Atoi(x)
	case float64:
		if x == float64(int(x)) {
			return int(x), nil
		}
	case int:
		return x, nil
	}
	return 0, errClaimMissing
}

// Refusal is the audit reason for err from Roles.
func Refusal(err error) string {
	for _, e := range []error{ErrAssurance, ErrNoSelection, ErrUnknownRole} {
		if errors.Is(err, e) {
			return e.Error()
		}
	}
	return ErrNoStaffRole.Error()
}
