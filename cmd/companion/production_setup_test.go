package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"

	"github.com/nhs-companion/companion/auth/oidctest"
	"github.com/nhs-companion/companion/internal/redistest"
	"github.com/nhs-companion/companion/server/gp/fhir/fhirtest"
	"github.com/nhs-companion/companion/server/gp/sandbox"
	"github.com/nhs-companion/companion/server/pg/pgtest"
)

// production is Companion running in production mode and what it uses.
type production struct {
	base       string // Companion, https
	fhirBase   string // the GP system as Companion reaches it: https, mutual TLS
	fhirDirect string // the FHIR server itself, for checking what it holds
	bin        string // the Companion binary
	database   string // DATABASE_URL
	pki        *pki
	mtlsCalls  *atomic.Int64
	logFile    string // Companion's standard output and error
	// booked and cancelled count the GP system's Appointments at the start.
	booked, cancelled int
}

func startProduction(t *testing.T) *production {
	t.Helper()
	bin := buildBinary(t)
	p := &production{pki: newPKI(t), mtlsCalls: &atomic.Int64{}, logFile: filepath.Join(t.TempDir(), "companion.log")}
	p.bin, p.database = bin, pgtest.MustDatabase(t)
	rs := redistest.MustStart(t)
	fs, _ := fhirtest.MustStartSeeded(t)
	p.fhirDirect = fs.BaseURL
	p.fhirBase = mutualTLSFront(t, fs.BaseURL, p.pki, p.mtlsCalls)
	var err error
	if p.booked, err = countFHIR(fs.BaseURL, "Appointment?status=booked"); err != nil {
		t.Fatal(err)
	}
	if p.cancelled, err = countFHIR(fs.BaseURL, "Appointment?status=cancelled"); err != nil {
		t.Fatal(err)
	}

	port := freePort(t)
	p.base = "https://127.0.0.1:" + strconv.Itoa(port)
	patientKey, staffKey := rsaPEM(t)
	patient := func(nhs, given, family string) oidctest.Account {
		birth, _ := sandbox.BirthDate(time.Now(), nhs)
		return oidctest.Account{VoT: "P9.Cp.Cd", Claims: map[string]any{"nhs_number": nhs, "given_name": given, "family_name": family,
			"birthdate": birth.String(), "identity_proofing_level": "P9", "gp_registration_details": map[string]any{"gp_ods_code": sandbox.PilotPractice}}}
	}
	nhsLogin := oidctest.MustStart(t, oidctest.Config{
		Clients: []oidctest.Client{{ClientID: "companion", RedirectURIs: []string{p.base + "/auth/callback"},
			PublicKey: &patientKey.key.PublicKey, KeyID: "nhslogin-1"}},
		Accounts: map[string]oidctest.Account{
			"amara": patient("9990000018", "Amara", "Okafor"),
			"priya": patient("9990000034", "Priya", "Shah"),
		},
		DefaultAccount: "amara",
	})
	role := map[string]any{"person_roleid": "sam-r1", "org_code": sandbox.PilotPractice, "role_code": "S8000:G8000:R8000",
		"role_name": `"Clinical":"Clinical Provision":"Clinical Practitioner Access Role"`}
	cis2 := oidctest.MustStart(t, oidctest.Config{
		Clients: []oidctest.Client{{ClientID: "companion-staff", RedirectURIs: []string{p.base + "/staff/callback"},
			PublicKey: &staffKey.key.PublicKey, KeyID: "cis2-1"}},
		Accounts: map[string]oidctest.Account{"sam": {Claims: map[string]any{"given_name": "Sam", "family_name": "Patel",
			"nhsid_nrbac_roles": []any{role}, "selected_roleid": "sam-r1", "authentication_assurance_level": "3"}}},
		DefaultAccount: "sam",
	})

	secret := make([]byte, 32)
	rand.Read(secret)
	vapidPriv, vapidPub, err := webpush.GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "COMPANION_ENV=production", "ADDR=127.0.0.1", "PORT="+strconv.Itoa(port), "METRICS_ADDR=",
		"PUBLIC_URL="+p.base, "TLS_CERT_FILE="+p.pki.ServerCert, "TLS_KEY_FILE="+p.pki.ServerKey, "WEB_DIR="+stubWeb(t),
		"REDIS_URL="+rs.URL(), "DATABASE_URL="+p.database, "PATIENT_ID_KEY="+hex.EncodeToString(secret), "LOG_LEVEL=info",
		"VAPID_PUBLIC_KEY="+vapidPub, "VAPID_PRIVATE_KEY="+vapidPriv,
		"GP_SYSTEM=fhir", "FHIR_BASE_URL="+p.fhirBase, "FHIR_TIMEOUT=30s",
		"FHIR_TLS_CERT_FILE="+p.pki.ClientCert, "FHIR_TLS_KEY_FILE="+p.pki.ClientKey, "FHIR_CA_FILE="+p.pki.CAFile,
		"NHSLOGIN_ISSUER="+nhsLogin.Issuer, "NHSLOGIN_CLIENT_ID=companion", "NHSLOGIN_KEY="+patientKey.pem, "NHSLOGIN_KEY_ID=nhslogin-1",
		"STAFF_ISSUER="+cis2.Issuer, "STAFF_CLIENT_ID=companion-staff", "STAFF_KEY="+staffKey.pem, "STAFF_KEY_ID=cis2-1",
		// Open whenever the test runs.
		"CONTACT_HOURS=Mon-Sun 00:00-24:00", "CONTACT_BANK_HOLIDAYS_OPEN=true")
	logs, err := os.Create(p.logFile)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logs.Close() })
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() })
	probe := newAgent(p.base, p.pki.Pool)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if res, _, err := probe.get("/healthz"); err == nil && res.StatusCode == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Companion did not start in production mode:\n%s", p.logs())
		}
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("Companion's log:\n%s", p.logs())
		}
	})
	return p
}

// mutualTLSFront serves the FHIR server at upstream over HTTPS, only to a
// client presenting a certificate from p's CA, counting the calls.
func mutualTLSFront(t *testing.T, upstream string, p *pki, calls *atomic.Int64) string {
	t.Helper()
	u, _ := url.Parse(upstream)
	// The FHIR server builds its links from the Host and
	// X-Forwarded-Proto it is sent, as behind any TLS front.
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(&url.URL{Scheme: u.Scheme, Host: u.Host})
		r.SetXForwarded()
		r.Out.Host = r.In.Host
	}}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		proxy.ServeHTTP(w, r)
	}))
	cert, err := tls.LoadX509KeyPair(p.ServerCert, p.ServerKey)
	if err != nil {
		t.Fatal(err)
	}
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: p.Pool}
	// Refused handshakes (one step makes one on purpose) are not news.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL + u.Path
}

// countFHIR counts the resources a search finds, following next links.
func countFHIR(base, search string) (int, error) {
	n := 0
	next := base + "/" + search + "&_count=100"
	for next != "" {
		res, err := http.Get(next)
		if err != nil {
			return 0, err
		}
		var b struct {
			Entry []json.RawMessage `json:"entry"`
			Link  []struct {
				Relation string `json:"relation"`
				URL      string `json:"url"`
			} `json:"link"`
		}
		err = json.NewDecoder(res.Body).Decode(&b)
		res.Body.Close()
		if err != nil {
			return 0, err
		}
		n += len(b.Entry)
		next = ""
		for _, l := range b.Link {
			if l.Relation == "next" {
				next = l.URL
			}
		}
	}
	return n, nil
}

type keyPEM struct {
	key *rsa.PrivateKey
	pem string
}

// rsaPEM makes the two sign-in clients' keys.
func rsaPEM(t *testing.T) (keyPEM, keyPEM) {
	t.Helper()
	var out [2]keyPEM
	for i := range out {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = keyPEM{k, string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}))}
	}
	return out[0], out[1]
}

// logs is what Companion has written so far.
func (p *production) logs() string {
	b, _ := os.ReadFile(p.logFile)
	return string(b)
}
