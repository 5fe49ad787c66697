package sandboxop

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// tokenRecord is what an access token stands for.
type tokenRecord struct {
	Subject string
	Hint    string `json:",omitempty"`
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "bad form")
		return
	}
	f := r.PostForm
	if f.Get("grant_type") != "authorization_code" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "only authorization_code")
		return
	}
	client, err := p.authenticate(ctx, f)
	if err != nil {
		oauthError(w, http.StatusUnauthorized, "invalid_client", err.Error())
		return
	}
	raw, err := p.rdb.GetDel(ctx, p.prefix+"code:"+f.Get("code")).Bytes()
	if err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "unknown, used or expired code")
		return
	}
	var g grantRecord
	if err := json.Unmarshal(raw, &g); err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", "bad grant")
		return
	}
	if g.ClientID != client.ID || g.RedirectURI != f.Get("redirect_uri") {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "code was issued to another client or redirect_uri")
		return
	}
	sum := sha256.Sum256([]byte(f.Get("code_verifier")))
	if f.Get("code_verifier") == "" || base64.RawURLEncoding.EncodeToString(sum[:]) != g.Challenge {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "PKCE verification failed")
		return
	}
	now := p.now()
	idt := jwt.NewWithClaims(jwt.SigningMethodRS512, jwt.MapClaims{
		"iss": p.issuer, "sub": g.Subject, "aud": client.ID,
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "auth_time": now.Unix(),
		"nonce": g.Nonce, "vot": g.VoT, "vtm": p.issuer + "/trustmark",
	})
	idt.Header["kid"] = p.keyID
	signed, err := idt.SignedString(p.key)
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", "signing failed")
		return
	}
	access, err := randomString()
	if err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", "")
		return
	}
	rec, _ := json.Marshal(tokenRecord{Subject: g.Subject, Hint: g.Hint})
	if err := p.rdb.Set(ctx, p.prefix+"at:"+access, rec, 5*time.Minute).Err(); err != nil {
		oauthError(w, http.StatusInternalServerError, "server_error", "")
		return
	}
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": access, "token_type": "Bearer", "expires_in": 300, "id_token": signed,
	})
}

// authenticate checks the private_key_jwt client assertion: RS512, signed by
// the client's registered key, iss = sub = client_id, aud = token endpoint,
// short-lived and never replayed.
func (p *Provider) authenticate(ctx context.Context, f url.Values) (Client, error) {
	if f.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" || f.Get("client_assertion") == "" {
		return Client{}, errors.New("private_key_jwt client assertion required")
	}
	var client Client
	claims := jwt.RegisteredClaims{}
	_, err := jwt.ParseWithClaims(f.Get("client_assertion"), &claims, func(t *jwt.Token) (any, error) {
		c, ok := p.clients[claims.Issuer]
		if !ok {
			return nil, errors.New("unknown client")
		}
		if kid, _ := t.Header["kid"].(string); c.KeyID != "" && kid != c.KeyID {
			return nil, errors.New("unknown key")
		}
		client = c
		return c.Key, nil
	}, jwt.WithValidMethods([]string{"RS512"}), jwt.WithAudience(p.issuer+"/token"),
		jwt.WithExpirationRequired(), jwt.WithTimeFunc(p.now))
	if err != nil {
		return Client{}, fmt.Errorf("client assertion: %w", err)
	}
	if claims.Subject != claims.Issuer || (f.Get("client_id") != "" && f.Get("client_id") != claims.Issuer) {
		return Client{}, errors.New("client assertion: iss, sub and client_id must agree")
	}
	if claims.ExpiresAt.Sub(p.now()) > 5*time.Minute+30*time.Second {
		return Client{}, errors.New("client assertion: lifetime over 5 minutes")
	}
	if claims.ID == "" {
		return Client{}, errors.New("client assertion: jti required")
	}
	ok, err := p.rdb.SetNX(ctx, p.prefix+"jti:"+claims.Issuer+":"+claims.ID, 1, 10*time.Minute).Result()
	if err != nil || !ok {
		return Client{}, errors.New("client assertion: jti replayed")
	}
	return client, nil
}
