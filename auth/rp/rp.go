// Package rp is Companion's OpenID Connect relying party, configured the way
// NHS login requires: authorization code flow with state, nonce and PKCE S256;
// private_key_jwt client authentication signed RS512; ID tokens accepted only
// when signed RS512; the vector of trust requested (vtr) and the one returned
// (vot) checked. The same code serves staff sign-in (NHS CIS2 in production)
// with a different configuration.
//
// It is server-only.
package rp

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"
)

// Errors a sign-in can end with. Each is refused and audited; none is shown
// to people in detail.
var (
	ErrNonce       = errors.New("rp: nonce mismatch")
	ErrVoT         = errors.New("rp: vector of trust not acceptable")
	ErrIDToken     = errors.New("rp: ID token rejected")
	ErrExchange    = errors.New("rp: code exchange failed")
	ErrUserInfo    = errors.New("rp: userinfo failed")
	ErrNHSNumber   = errors.New("rp: NHS number fails its check digit")
	ErrProvider    = errors.New("rp: provider returned an error")
	ErrMissingData = errors.New("rp: required claim missing")
)

// Config describes one relying-party registration.
type Config struct {
	// Issuer is the provider's issuer URL; discovery is read from it.
	Issuer      string
	ClientID    string
	RedirectURL string
	// Key signs the client assertion (RSA, 2048 bits or more); KeyID is its
	// kid, as registered with the provider.
	Key   *rsa.PrivateKey
	KeyID string
	// Scopes requested, "openid" included.
	Scopes []string
	// VTR lists the acceptable vectors of trust, most preferred first. Empty
	// means the provider does not do vectors of trust (staff sign-in).
	VTR []string
	// SendLoginHint passes login_hint on. Only the sandbox provider honours
	// it; NHS login does not support it.
	SendLoginHint bool
	// HTTPClient reaches the provider (nil: http.DefaultClient).
	HTTPClient *http.Client
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// RP is a configured relying party.
type RP struct {
	cfg      Config
	provider *oidc.Provider
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
	tokenURL string
}

// New reads the provider's discovery document and returns the relying party.
func New(ctx context.Context, cfg Config) (*RP, error) {
	if cfg.Key == nil || cfg.Key.N.BitLen() < 2048 {
		return nil, errors.New("rp: client key must be RSA of 2048 bits or more")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.HTTPClient != nil {
		ctx = oidc.ClientContext(ctx, cfg.HTTPClient)
	}
	p, err := oidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("rp: discovery from %s: %w", cfg.Issuer, err)
	}
	ep := p.Endpoint()
	// x/oauth2 has no private_key_jwt: send the client id in the form and the
	// assertion as extra parameters, with no secret.
	ep.AuthStyle = oauth2.AuthStyleInParams
	r := &RP{
		cfg:      cfg,
		provider: p,
		oauth:    oauth2.Config{ClientID: cfg.ClientID, Endpoint: ep, RedirectURL: cfg.RedirectURL, Scopes: cfg.Scopes},
		verifier: p.Verifier(&oidc.Config{
			ClientID:             cfg.ClientID,
			SupportedSigningAlgs: []string{oidc.RS512},
			Now:                  cfg.Now,
		}),
		tokenURL: ep.TokenURL,
	}
	return r, nil
}

// Issuer is the provider's issuer.
func (r *RP) Issuer() string { return r.cfg.Issuer }

// Start is what a sign-in needs remembered between the redirect to the
// provider and the callback.
type Start struct {
	State    string `json:"-"`
	Nonce    string `json:"nonce"`
	Verifier string `json:"verifier"`
}

// NewStart makes fresh random state, nonce and PKCE verifier.
func NewStart() (Start, error) {
	s := Start{Verifier: oauth2.GenerateVerifier()}
	var err error
	if s.State, err = random(); err != nil {
		return Start{}, err
	}
	if s.Nonce, err = random(); err != nil {
		return Start{}, err
	}
	return s, nil
}

func random() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// AuthOptions are per-request authorization parameters.
type AuthOptions struct {
	// Prompt is passed through ("login" to force re-authentication).
	Prompt string
	// LoginHint names the person to sign in (sandbox provider only).
	LoginHint string
	// AssertedLoginIdentity is the NHS App's assertion of who is signed in
	// to it (its assertedLoginIdentity JWT), sent as NHS login's
	// asserted_login_identity so the person is not asked to sign in
	// again; with it, Prompt should be "none". NHS login verifies it; it
	// is never kept.
	AssertedLoginIdentity string
}

// AuthURL is where to send the browser to sign in.
func (r *RP) AuthURL(s Start, o AuthOptions) string {
	opts := []oauth2.AuthCodeOption{
		oidc.Nonce(s.Nonce),
		oauth2.S256ChallengeOption(s.Verifier),
		oauth2.SetAuthURLParam("response_mode", "query"),
	}
	if len(r.cfg.VTR) > 0 {
		vtr, _ := json.Marshal(r.cfg.VTR)
		opts = append(opts, oauth2.SetAuthURLParam("vtr", string(vtr)))
	}
	if o.Prompt != "" {
		opts = append(opts, oauth2.SetAuthURLParam("prompt", o.Prompt))
	}
	if o.AssertedLoginIdentity != "" {
		opts = append(opts, oauth2.SetAuthURLParam("asserted_login_identity", o.AssertedLoginIdentity))
	}
	if o.LoginHint != "" && r.cfg.SendLoginHint {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", o.LoginHint))
	}
	return r.oauth.AuthCodeURL(s.State, opts...)
}

// Identity is who signed in, from the verified ID token and userinfo.
type Identity struct {
	Subject       string
	NHSNumber     string
	GivenName     string
	FamilyName    string
	BirthDate     string
	ProofingLevel string
	GPODS         string
	VoT           string
	// Claims holds every ID token and userinfo claim, for staff roles.
	Claims map[string]any
}

// ClientAssertion signs the private_key_jwt assertion for the token endpoint.
func (r *RP) ClientAssertion() (string, error) {
	return Assertion(jwt.SigningMethodRS512, r.cfg.ClientID, r.tokenURL, r.cfg.KeyID, r.cfg.Key, r.cfg.Now())
}

// Assertion signs a private_key_jwt client assertion (RFC 7523) for the
// token endpoint audience: issued by and about clientID, with a fresh jti,
// valid for five minutes from now. NHS login wants RS512; SMART Backend
// Services, RS384 or ES384.
func Assertion(method jwt.SigningMethod, clientID, audience, keyID string, key *rsa.PrivateKey, now time.Time) (string, error) {
	jti, err := random()
	if err != nil {
		return "", err
	}
	t := jwt.NewWithClaims(method, jwt.RegisteredClaims{
		Issuer:    clientID,
		Subject:   clientID,
		Audience:  jwt.ClaimStrings{audience},
		ID:        jti,
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(5 * time.Minute)),
	})
	t.Header["kid"] = keyID
	return t.SignedString(key)
}

// Exchange swaps the authorization code for tokens, verifies the ID token
// against the nonce and the acceptable vectors of trust, and reads userinfo.
func (r *RP) Exchange(ctx context.Context, code string, s Start) (Identity, error) {
	if r.cfg.HTTPClient != nil {
		ctx = context.WithValue(ctx, oauth2.HTTPClient, r.cfg.HTTPClient)
		ctx = oidc.ClientContext(ctx, r.cfg.HTTPClient)
	}
	assertion, err := r.ClientAssertion()
	if err != nil {
		return Identity{}, err
	}
	tok, err := r.oauth.Exchange(ctx, code,
		oauth2.VerifierOption(s.Verifier),
		oauth2.SetAuthURLParam("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
		oauth2.SetAuthURLParam("client_assertion", assertion),
	)
	if err != nil {
		return Identity{}, fmt.Errorf("%w: %w", ErrExchange, err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return Identity{}, fmt.Errorf("%w: no id_token", ErrIDToken)
	}
	idt, err := r.verifier.Verify(ctx, raw)
	if err != nil {
		return Identity{}, fmt.Errorf("%w: %w", ErrIDToken, err)
	}
	if idt.Nonce != s.Nonce {
		return Identity{}, ErrNonce
	}
	var idClaims struct {
		VoT string `json:"vot"`
	}
	if err := idt.Claims(&idClaims); err != nil {
		return Identity{}, fmt.Errorf("%w: %w", ErrIDToken, err)
	}
	if len(r.cfg.VTR) > 0 && !slices.Contains(r.cfg.VTR, idClaims.VoT) {
		return Identity{}, fmt.Errorf("%w: %q", ErrVoT, idClaims.VoT)
	}
	ui, err := r.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		return Identity{}, fmt.Errorf("%w: %w", ErrUserInfo, err)
	}
	if ui.Subject != idt.Subject {
		return Identity{}, fmt.Errorf("%w: userinfo subject differs from the ID token's", ErrUserInfo)
	}
	// Claims are the ID token's (CIS2 puts the assurance level there)
	// overlaid with userinfo's.
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		return Identity{}, fmt.Errorf("%w: %w", ErrIDToken, err)
	}
	if err := ui.Claims(&claims); err != nil {
		return Identity{}, fmt.Errorf("%w: %w", ErrUserInfo, err)
	}
	id := Identity{Subject: idt.Subject, VoT: idClaims.VoT, Claims: claims}
	id.NHSNumber, _ = claims["nhs_number"].(string)
	id.GivenName, _ = claims["given_name"].(string)
	id.FamilyName, _ = claims["family_name"].(string)
	id.BirthDate, _ = claims["birthdate"].(string)
	id.ProofingLevel, _ = claims["identity_proofing_level"].(string)
	if gp, ok := claims["gp_registration_details"].(map[string]any); ok {
		id.GPODS, _ = gp["gp_ods_code"].(string)
	}
	if id.ProofingLevel == "" && idClaims.VoT != "" {
		id.ProofingLevel, _, _ = strings.Cut(idClaims.VoT, ".")
	}
	return id, nil
}

// VerifyLogoutToken checks a back-channel logout token from the provider and
// returns the subject whose sessions must end.
func (r *RP) VerifyLogoutToken(ctx context.Context, raw string) (string, error) {
	if r.cfg.HTTPClient != nil {
		ctx = oidc.ClientContext(ctx, r.cfg.HTTPClient)
	}
	// A logout token has no nonce and must say it is one.
	t, err := r.verifier.Verify(ctx, raw)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrIDToken, err)
	}
	var c struct {
		Events map[string]json.RawMessage `json:"events"`
		Nonce  string                     `json:"nonce"`
	}
	if err := t.Claims(&c); err != nil {
		return "", fmt.Errorf("%w: %w", ErrIDToken, err)
	}
	if _, ok := c.Events["http://schemas.openid.net/event/backchannel-logout"]; !ok || c.Nonce != "" {
		return "", fmt.Errorf("%w: not a logout token", ErrIDToken)
	}
	if t.Subject == "" {
		return "", fmt.Errorf("%w: logout token without a subject", ErrIDToken)
	}
	return t.Subject, nil
}
