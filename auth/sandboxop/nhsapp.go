package sandboxop

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The sandbox NHS App. The NHS App opens a service with the person's NHS
// login carried over: it adds assertedLoginIdentity, a JWT it signs whose
// code names its own NHS login session, and the service passes it to NHS
// login's authorize as asserted_login_identity with prompt=none. Here the
// provider plays both parts: /nhsapp opens a page of Companion the way the
// App would, for a person of the cast, and authorize accepts the assertion
// it made, once and for a minute, as NHS login does.

// AppIssuer is the iss of the sandbox NHS App's assertions (the App's
// client ID at NHS login).
const AppIssuer = "sandbox-nhs-app"

// assertionTTL is how long an assertion is good for: NHS login allows 60 s.
const assertionTTL = time.Minute

// appSession is what an assertion's code stands for.
type appSession struct {
	Subject string `json:"sub"`
	// NoConsent is set when the person will refuse to share their details
	// with the service (NHS login answers access_denied, ConsentNotGiven).
	NoConsent bool `json:"no_consent,omitempty"`
}

var errBadAssertion = errors.New("sandboxop: assertion not valid")

// Assert makes the assertion the NHS App would for the account whose hint
// (or subject) is hint; noConsent makes them refuse consent at NHS login.
func (p *Provider) Assert(ctx context.Context, hint string, noConsent bool) (string, error) {
	var acct *Account
	for i := range p.accounts {
		if a := &p.accounts[i]; a.Kind == "patient" && (a.Hint == hint || a.Subject == hint) {
			acct = a
		}
	}
	if acct == nil {
		return "", errors.New("sandboxop: no such patient")
	}
	code, err := randomString()
	if err != nil {
		return "", err
	}
	jti, err := randomString()
	if err != nil {
		return "", err
	}
	b, _ := json.Marshal(appSession{Subject: acct.Subject, NoConsent: noConsent})
	if err := p.rdb.Set(ctx, p.prefix+"app-session:"+code, b, assertionTTL).Err(); err != nil {
		return "", err
	}
	now := p.now()
	return jwt.NewWithClaims(jwt.SigningMethodRS512, jwt.MapClaims{
		"iss": AppIssuer, "code": code, "jti": jti,
		"iat": now.Unix(), "exp": now.Add(assertionTTL).Unix(),
	}).SignedString(p.key)
}

// openFromApp answers /nhsapp?account=<hint>&path=<page>[&consent=no]: the
// page of Companion, opened as the NHS App opens it.
func (p *Provider) openFromApp(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	path := q.Get("path")
	if path == "" {
		path = "/"
	}
	u, err := url.Parse(path)
	if err != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") || u.Host != "" || u.Scheme != "" {
		http.Error(w, "path must be a page of Companion", http.StatusBadRequest)
		return
	}
	jwt, err := p.Assert(r.Context(), q.Get("account"), q.Get("consent") == "no")
	if err != nil {
		http.Error(w, "no such patient in the sandbox", http.StatusBadRequest)
		return
	}
	v := u.Query()
	v.Set("from", "nhsApp")
	v.Set("assertedLoginIdentity", jwt) // the App adds it last
	u.RawQuery = v.Encode()
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
}

// assertedSession verifies an assertion as NHS login does (the App's
// signature, RS512, iss, iat and an exp no more than a minute on, not yet
// passed) and uses up the App session its code names.
func (p *Provider) assertedSession(ctx context.Context, raw string) (appSession, error) {
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return &p.key.PublicKey, nil },
		jwt.WithValidMethods([]string{"RS512"}), jwt.WithIssuer(AppIssuer), jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(), jwt.WithTimeFunc(p.now))
	if err != nil {
		return appSession{}, errBadAssertion
	}
	iat, err1 := claims.GetIssuedAt()
	exp, err2 := claims.GetExpirationTime()
	code, _ := claims["code"].(string)
	if err1 != nil || err2 != nil || iat == nil || exp.Sub(iat.Time) > assertionTTL || code == "" {
		return appSession{}, errBadAssertion
	}
	b, err := p.rdb.GetDel(ctx, p.prefix+"app-session:"+code).Bytes()
	if err != nil {
		return appSession{}, errBadAssertion
	}
	var s appSession
	if json.Unmarshal(b, &s) != nil {
		return appSession{}, errBadAssertion
	}
	return s, nil
}
