package server_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"

	"github.com/nhs-companion/companion/auth/oidctest"
)

// cis2Role is one entry of CIS2's nhsid_nrbac_roles claim.
func cis2Role(id, org, code, name string) map[string]any {
	return map[string]any{"person_roleid": id, "person_orgid": "org-" + id, "org_code": org, "role_code": code,
		"role_name": name, "activity_codes": []string{"B0264"}, "activities": []string{"Access Role Based Services"}}
}

// cis2Account is a CIS2 member of staff with roles, one selected (or none
// when selected is ""), signed in at assurance level aal.
func cis2Account(given string, aal any, selected string, roles ...map[string]any) oidctest.Account {
	c := map[string]any{"given_name": given, "family_name": "Staff", "name": given + " Staff", "nhsid_useruid": "5550" + given,
		"nhsid_nrbac_roles": roles, "authentication_assurance_level": aal, "id_assurance_level": "3"}
	if selected != "" {
		c["selected_roleid"] = selected
	}
	return oidctest.Account{Claims: c}
}

// startWithCIS2 runs Companion with staff sign-in pointed at a real OpenID
// Provider releasing NHS CIS2's claims.
func startWithCIS2(t *testing.T) *testEnv {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	clinician := cis2Role("r1", "Z00001", "S8000:G8000:R8000", "Clinical Practitioner Access Role")
	nurseAt2 := cis2Role("r2", "Z00002", "S8000:G8001:R8001", "Nurse Access Role")
	reception := cis2Role("r3", "Z00001", "S8002:G8011:R8009", "Receptionist Access Role")
	support := cis2Role("r4", "X26", "S8001:G8005:R8015", "Systems Support Access Role")
	return mustStartServerAt(t, func(base string) []string {
		op := oidctest.MustStart(t, oidctest.Config{
			Clients: []oidctest.Client{{ClientID: "companion-staff", RedirectURIs: []string{base + "/staff/callback"},
				PublicKey: &key.PublicKey, KeyID: "staff-1"}},
			Accounts: map[string]oidctest.Account{
				"clinician":  cis2Account("Grace", "3", "r1", clinician),
				"nurse-at-2": cis2Account("Nia", 3, "r2", clinician, nurseAt2), // two roles; chose Z00002
				"only-role":  cis2Account("Owen", "3", "", clinician),
				"national":   cis2Account("Nat", "3", "r4", support),
				"reception":  cis2Account("Rob", "3", "r3", reception),
				"password":   cis2Account("Pat", "1", "r1", clinician),
				"unselected": cis2Account("Una", "3", "", clinician, nurseAt2),
				"stale":      cis2Account("Sid", "3", "r9", clinician),
				"no-roles":   cis2Account("Ned", "3", ""),
			},
			DefaultAccount: "clinician",
		})
		return []string{"STAFF_ISSUER", op.Issuer, "STAFF_CLIENT_ID", "companion-staff", "STAFF_KEY", pemKey,
			"STAFF_KEY_ID", "staff-1", "STAFF_NATIONAL_ADMINS", "X26:R8015"}
	})
}

// staffSignIn signs account in to CIS2 through /staff/login and returns the
// browser and the status the callback answered.
func (e *testEnv) staffSignIn(t *testing.T, account string) (*browser, int) {
	t.Helper()
	b := e.newBrowser(t)
	b.client.CheckRedirect = oidctest.SignInAs(account)
	res, _ := b.get(t, "/staff/login?return=/admin")
	b.client.CheckRedirect = nil
	return b, res.StatusCode
}

// TestCIS2StaffRoles: CIS2's National RBAC role the person selected, held
// at an organisation, makes them a site admin there or a national admin;
// any other role, a weak authentication, or no clear selection signs
// nobody in.
func TestCIS2StaffRoles(t *testing.T) {
	e := startWithCIS2(t)
	for _, tt := range []struct {
		account  string
		national bool
		ods      []string
	}{
		{"clinician", false, []string{"Z00001"}},
		{"nurse-at-2", false, []string{"Z00002"}},
		{"only-role", false, []string{"Z00001"}},
		{"national", true, nil},
	} {
		b, status := e.staffSignIn(t, tt.account)
		res, page := b.get(t, "/admin")
		if status != 200 || res.StatusCode != 200 || res.Request.URL.Path != "/admin" {
			t.Errorf("%s: sign-in %d, /admin %d at %s", tt.account, status, res.StatusCode, res.Request.URL.Path)
			continue
		}
		role := "Site administrator"
		if tt.national {
			role = "National administrator"
		}
		if !strings.Contains(page, role) || (len(tt.ods) > 0 && !strings.Contains(page, tt.ods[0])) {
			t.Errorf("%s: /admin does not show %s %v", tt.account, role, tt.ods)
		}
		// A site admin's inbox is their selected role's practice, no other.
		for _, ods := range []string{"Z00001", "Z00002"} {
			want := http.StatusForbidden
			if len(tt.ods) > 0 && tt.ods[0] == ods {
				want = http.StatusOK
			}
			if st, _ := b.call(t, "GET", "/api/v1/admin/inbox?practice="+ods, nil, nil); st != want {
				t.Errorf("%s: inbox of %s: %d, want %d", tt.account, ods, st, want)
			}
		}
	}
	for _, tt := range []struct{ account, reason string }{
		{"reception", "no_role"}, {"password", "aal"}, {"unselected", "no_selected_role"},
		{"stale", "selected_role"}, {"no-roles", "no_role"},
	} {
		b, status := e.staffSignIn(t, tt.account)
		if status != http.StatusForbidden {
			t.Errorf("%s: sign-in answered %d, want 403", tt.account, status)
		}
		if st, _ := b.call(t, "GET", "/api/v1/admin/flags", nil, nil); st != http.StatusUnauthorized {
			t.Errorf("%s: signed in (%d)", tt.account, st)
		}
		if !e.auditHas(t, "callback_refused", "staff:"+tt.reason) {
			t.Errorf("%s: refusal not audited as staff:%s", tt.account, tt.reason)
		}
	}
}
