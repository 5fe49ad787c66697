package wire

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/app/ui"
	"github.com/nhs-companion/companion/auth/rp"
	"github.com/nhs-companion/companion/auth/sandboxop"
	"github.com/nhs-companion/companion/auth/session"
	"github.com/nhs-companion/companion/config"
	"github.com/nhs-companion/companion/i18n"
	"github.com/nhs-companion/companion/server"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/audit"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/gp/sandbox"
	"github.com/nhs-companion/companion/server/staff"
	"github.com/nhs-companion/companion/server/web"
)

// wireAuth builds sign-in: the two relying parties (against the sandbox
// provider when no issuer is configured), sessions, audit, rate limits.
func wireAuth(ctx context.Context, cfg config.Config, rdb redis.UniversalClient, gpSys gp.Directory, cat *i18n.Catalogue, rn *web.Renderer, auditLog audit.Log) (server.Auth, error) {
	a := server.Auth{
		Pending:       rp.NewPending(rdb, "companion:auth:", 10*time.Minute),
		Sessions:      session.NewStore(rdb, "companion:sess:", cfg.SessionIdle, cfg.SessionAbsolute, nil),
		StaffSessions: session.NewStore(rdb, "companion:staffsess:", cfg.SessionIdle, cfg.SessionAbsolute, nil),
		Audit:         auditLog,
		StaffRoles: staff.RBAC{SiteAdminRoles: cfg.StaffRBAC.SiteAdminRoles, NationalAdmins: cfg.StaffRBAC.NationalAdmins,
			MessagingRoles: cfg.StaffRBAC.MessagingRoles,
			MinAAL:         cfg.StaffRBAC.MinAAL},
	}
	pidKey := []byte(cfg.PatientIDKey)
	if len(pidKey) == 0 {
		// Sandbox: a random key shared through Redis, so every process
		// serving the same sandbox agrees on patient IDs.
		fresh := make([]byte, 32)
		if _, err := rand.Read(fresh); err != nil {
			return a, err
		}
		const k = "companion:sandbox:patient-id-key"
		if err := rdb.SetNX(ctx, k, fresh, 0).Err(); err != nil {
			return a, fmt.Errorf("patient id key: %w", err)
		}
		key, err := rdb.Get(ctx, k).Bytes()
		if err != nil {
			return a, fmt.Errorf("patient id key: %w", err)
		}
		pidKey = key
	}
	var err error
	if a.PatientIDs, err = access.NewIDs(pidKey); err != nil {
		return a, err
	}

	patientCfg := rp.Config{
		Issuer: cfg.NHSLogin.Issuer, ClientID: cfg.NHSLogin.ClientID, KeyID: cfg.NHSLogin.KeyID,
		RedirectURL: cfg.PublicURL + "/auth/callback",
		Scopes:      []string{"openid", "profile", "gp_registration_details"},
		VTR:         cfg.NHSLogin.VTR,
		HTTPClient:  &http.Client{Timeout: 10 * time.Second},
	}
	staffCfg := rp.Config{
		Issuer: cfg.Staff.Issuer, ClientID: cfg.Staff.ClientID, KeyID: cfg.Staff.KeyID,
		RedirectURL: cfg.PublicURL + "/staff/callback",
		Scopes:      staff.Scopes,
		HTTPClient:  &http.Client{Timeout: 10 * time.Second},
	}
	if cfg.NHSLogin.Issuer != "" {
		if patientCfg.Key, err = parseKey(cfg.NHSLogin.KeyPEM); err != nil {
			return a, fmt.Errorf("NHSLOGIN key: %w", err)
		}
	}
	if cfg.Staff.Issuer != "" {
		if staffCfg.Key, err = parseKey(cfg.Staff.KeyPEM); err != nil {
			return a, fmt.Errorf("STAFF key: %w", err)
		}
	}
	if cfg.NHSLogin.Issuer == "" || cfg.Staff.Issuer == "" {
		op, err := sandboxProvider(ctx, cfg, rdb, gpSys, cat, rn)
		if err != nil {
			return a, err
		}
		a.SandboxOP = op.Handler()
		// The server talks to its own in-process provider directly; browsers
		// reach it at PUBLIC_URL.
		inProcess := &http.Client{Transport: handlerTransport{a.SandboxOP}, Timeout: 10 * time.Second}
		if cfg.NHSLogin.Issuer == "" {
			if err := registerSandboxClient(op, &patientCfg, "companion-sandbox", "patient", inProcess); err != nil {
				return a, err
			}
		}
		if cfg.Staff.Issuer == "" {
			if err := registerSandboxClient(op, &staffCfg, "companion-staff-sandbox", "staff", inProcess); err != nil {
				return a, err
			}
		}
	}
	if a.Patients, err = rp.New(ctx, patientCfg); err != nil {
		return a, err
	}
	if a.Staff, err = rp.New(ctx, staffCfg); err != nil {
		return a, err
	}
	return a, nil
}

// sandboxProvider builds the sandbox NHS login with the sandbox cast and staff.
func sandboxProvider(ctx context.Context, cfg config.Config, rdb redis.UniversalClient, gpSys gp.Directory, cat *i18n.Catalogue, rn *web.Renderer) (*sandboxop.Provider, error) {
	if cfg.Env == config.EnvProduction {
		return nil, errors.New("the sandbox NHS login cannot run in production")
	}
	today := gp.DateOf(time.Now())
	var accounts []sandboxop.Account
	// The picker describes people in the page's language.
	describe := map[string]func(*i18n.Localizer) string{}
	for _, login := range sandbox.Logins() {
		p, err := gpSys.Patient(ctx, login.NHSNumber)
		if err != nil {
			return nil, fmt.Errorf("sandbox login: %w", err)
		}
		practice, err := gpSys.Practice(ctx, p.PracticeODS)
		if err != nil {
			return nil, fmt.Errorf("sandbox login: %w", err)
		}
		level, age := login.Level, p.BirthDate.AgeOn(today)
		describe[p.NHSNumber] = func(l *i18n.Localizer) string {
			return l.T("sandbox.patient.description", "Age", age, "Level", level, "Practice", practice.Name)
		}
		accounts = append(accounts, patientAccount(p, login.Level))
	}
	for _, s := range sandbox.Staff() {
		practice := s.Practice
		describe[s.ID] = func(l *i18n.Localizer) string { return l.T("sandbox.staff.nationalAdmin") }
		switch s.Role {
		case "site_admin":
			describe[s.ID] = func(l *i18n.Localizer) string { return l.T("sandbox.staff.siteAdmin", "Practice", practice) }
		case "messaging":
			describe[s.ID] = func(l *i18n.Localizer) string { return l.T("sandbox.staff.messaging", "Practice", practice) }
		}
		accounts = append(accounts, sandboxop.Account{
			Subject: s.ID, Hint: s.ID, Kind: "staff", Name: s.GivenName + " " + s.FamilyName, Claims: cis2Claims(s),
		})
	}
	return sandboxop.New(sandboxop.Options{
		Issuer: cfg.PublicURL + "/sandbox-login", Accounts: accounts, Redis: rdb, Prefix: "companion:",
		Production: cfg.Env == config.EnvProduction,
		Lookup: func(ctx context.Context, hint string) (sandboxop.Account, bool) {
			// Only load tests' synthetic patients: the cast's people with
			// no login (children, George) stay reachable through proxy
			// access alone.
			if !strings.HasPrefix(hint, syntheticBlock) || !nhs.ValidNumber(hint) {
				return sandboxop.Account{}, false
			}
			p, err := gpSys.Patient(ctx, hint)
			if err != nil {
				return sandboxop.Account{}, false
			}
			return patientAccount(p, "P9"), true
		},
		Picker: func(w http.ResponseWriter, r *http.Request, d sandboxop.PickerData) error {
			st := api.PageState{Locale: server.LocaleFrom(r.Context()), Path: r.URL.Path, Query: server.KeptQuery(r),
				Picker: &api.Picker{Action: d.Action, Params: map[string]string{}, Invalid: d.Error}}
			for k := range d.Params {
				st.Picker.Params[k] = d.Params.Get(k)
			}
			l := cat.Localizer(st.Locale)
			for _, a := range d.Accounts {
				st.Picker.Accounts = append(st.Picker.Accounts, api.PickerAccount{Value: a.Hint, Name: a.Name, Description: describe[a.Hint](l)})
			}
			status := http.StatusOK
			if d.Error {
				status = http.StatusUnprocessableEntity
			}
			return rn.RenderServerOnly(w, r, status, st, ui.SandboxPicker)
		},
	})
}

// cis2Claims are the claims NHS CIS2 would release for a sandbox member
// of staff: one National RBAC role, selected, signed in with a smartcard.
// A site admin is a Clinical Practitioner (R8000) at their practice; the
// national admin is Systems Support (R8015) at NHS England (X26), the
// sandbox's default STAFF_NATIONAL_ADMINS.
func cis2Claims(s sandbox.StaffMember) map[string]any {
	role := staff.Role{ID: "sandbox-" + s.ID, Org: s.Practice, Code: "S8000:G8000:R8000", Name: `"Clinical":"Clinical Provision":"Clinical Practitioner Access Role"`}
	switch s.Role {
	case "messaging":
		role = staff.Role{ID: "sandbox-" + s.ID, Org: s.Practice, Code: "S8002:G8003:R8010", Name: `"Admin & Clerical":"Admin & Clerical":"Clerical Worker Access Role"`}
	case "national_admin":
		role = staff.Role{ID: "sandbox-" + s.ID, Org: "X26", Code: "S8001:G8005:R8015", Name: `"Admin & Clerical":"Management - I M & T":"Systems Support Access Role"`}
	}
	return map[string]any{"given_name": s.GivenName, "family_name": s.FamilyName, "nhsid_useruid": "sandbox-" + s.ID,
		"nhsid_nrbac_roles": []staff.Role{role}, "selected_roleid": role.ID, "authentication_assurance_level": "3"}
}

// syntheticBlock starts the NHS numbers of the synthetic patients the
// sandbox adds for load tests (sandbox.SyntheticNumbers).
const syntheticBlock = "9991"

// patientAccount is a sandbox NHS login account for a GP-registered patient
// proved to level ("P9" or "P5"), with the claims NHS login would release.
func patientAccount(p gp.Patient, level string) sandboxop.Account {
	return sandboxop.Account{
		Subject: "sandbox-" + shortHash(p.NHSNumber), Hint: p.NHSNumber, Kind: "patient", VoT: level + ".Cp.Cd",
		Name: p.GivenName + " " + p.FamilyName,
		Claims: map[string]any{
			"nhs_number": p.NHSNumber, "given_name": p.GivenName, "family_name": p.FamilyName,
			"birthdate": p.BirthDate.String(), "identity_proofing_level": level,
			"gp_registration_details": map[string]any{"gp_ods_code": p.PracticeODS},
		},
	}
}

// registerSandboxClient makes a client key and registers the relying party
// with the sandbox provider.
func registerSandboxClient(op *sandboxop.Provider, c *rp.Config, id, kind string, client *http.Client) error {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	c.Issuer, c.ClientID, c.Key, c.KeyID, c.HTTPClient = op.Issuer(), id, key, id+"-key", client
	c.SendLoginHint = true
	op.Register(sandboxop.Client{ID: id, RedirectURIs: []string{c.RedirectURL}, Key: &key.PublicKey, KeyID: c.KeyID, Kind: kind})
	return nil
}

// handlerTransport serves HTTP requests with an in-process handler.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

func parseKey(pemText string) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(pemText))
	if block == nil {
		return nil, errors.New("no PEM block")
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("not an RSA key")
	}
	return rk, nil
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte("sandbox-subject:" + s))
	return hex.EncodeToString(sum[:8])
}
