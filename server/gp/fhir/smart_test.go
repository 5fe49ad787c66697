package fhir_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/nhs-companion/companion/auth/oidctest"
	"github.com/nhs-companion/companion/auth/rp"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/gp/fhir"
	"github.com/nhs-companion/companion/server/gp/sandbox"
)

// TestSMARTBackendServices: the adapter authenticates as SMART Backend
// Services against a real authorization server (oidc-provider, client
// credentials with an RS384 private_key_jwt), sends the token it gets on
// every call and fetches one only when the last is about to expire. In
// front of the FHIR server, a guard accepts only tokens the authorization
// server says are active (token introspection).
func TestSMARTBackendServices(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	const client = "companion-fhir"
	op := oidctest.MustStart(t, oidctest.Config{Backend: true, Clients: []oidctest.Client{{
		ClientID: client, PublicKey: &key.PublicKey, KeyID: "fhir-1",
		GrantTypes: []string{"client_credentials"}, AuthAlg: "RS384", Scope: "system/*.read system/*.write",
	}}})
	var disc struct {
		Token         string `json:"token_endpoint"`
		Introspection string `json:"introspection_endpoint"`
	}
	getJSON(t, op.Issuer+"/.well-known/openid-configuration", &disc)

	srv := seeded(t)
	g := newGuard(t, srv.BaseURL, func(tok string) bool {
		assertion, err := rp.Assertion(jwt.SigningMethodRS384, client, disc.Introspection, "fhir-1", key, time.Now())
		if err != nil {
			t.Error(err)
			return false
		}
		res, err := http.PostForm(disc.Introspection, url.Values{"token": {tok}, "client_assertion": {assertion},
			"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}})
		if err != nil {
			t.Error(err)
			return false
		}
		defer res.Body.Close()
		var body struct {
			Active   bool   `json:"active"`
			ClientID string `json:"client_id"`
		}
		json.NewDecoder(res.Body).Decode(&body)
		return body.Active && body.ClientID == client
	})

	ctx := context.Background()
	bare := newSystem(t, g.srv.URL+"/fhir/R4")
	if _, err := bare.Patient(ctx, amara); !errors.Is(err, gp.ErrUnavailable) {
		t.Errorf("without a token: %v; want ErrUnavailable", err)
	}

	smart := &fhir.SMART{TokenURL: disc.Token, ClientID: client, KeyID: "fhir-1", Key: key}
	sys, err := fhir.New(fhir.Config{BaseURL: g.srv.URL + "/fhir/R4", Token: smart.Token})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sys.Patient(ctx, amara); err != nil {
		t.Fatalf("Patient with a SMART token: %v", err)
	}
	sl := freeSlot(t, sys)
	if _, err := sys.Book(ctx, gp.Booking{PatientNHS: amara, PracticeODS: sandbox.PilotPractice, SlotID: sl.ID, Key: "smart-1"}); err != nil {
		t.Fatalf("Book with a SMART token: %v", err)
	}
	if n := smart.Fetches(); n != 1 {
		t.Errorf("%d tokens fetched for %d calls, want 1 (kept until expiry)", n, g.calls.Load())
	}
	if g.refused.Load() != 1 {
		t.Errorf("the guard refused %d calls, want only the one without a token", g.refused.Load())
	}

	wrong, _ := rsa.GenerateKey(rand.Reader, 2048)
	bad := &fhir.SMART{TokenURL: disc.Token, ClientID: client, KeyID: "fhir-1", Key: wrong}
	_, err = bad.Token(ctx)
	if err == nil || !strings.Contains(err.Error(), "invalid_client") {
		t.Errorf("a token for a wrong key: %v; want the endpoint's invalid_client", err)
	}
}

// guard passes requests to the FHIR server only with a bearer token valid
// says is valid, remembering tokens it has checked.
type guard struct {
	srv            *httptest.Server
	calls, refused atomic.Int64
}

func newGuard(t *testing.T, upstream string, valid func(string) bool) *guard {
	t.Helper()
	u, _ := url.Parse(upstream)
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	g := &guard{}
	var mu sync.Mutex
	checked := map[string]bool{}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.calls.Add(1)
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		mu.Lock()
		ok = ok && (checked[tok] || valid(tok))
		if ok {
			checked[tok] = true
		}
		mu.Unlock()
		if !ok {
			g.refused.Add(1)
			w.Header().Set("WWW-Authenticate", "Bearer")
			http.Error(w, `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"login"}]}`, http.StatusUnauthorized)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(g.srv.Close)
	return g
}
