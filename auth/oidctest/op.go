package oidctest

import (
	"encoding/json"
	"fmt"
)

// opConfig is cfg as op.mjs reads it.
func (cfg Config) opConfig() ([]byte, error) {
	type client struct {
		ClientID             string         `json:"client_id"`
		RedirectURIs         []string       `json:"redirect_uris"`
		JWKS                 map[string]any `json:"jwks"`
		BackchannelLogoutURI string         `json:"backchannel_logout_uri,omitempty"`
		GrantTypes           []string       `json:"grant_types,omitempty"`
		AuthAlg              string         `json:"auth_alg,omitempty"`
		Scope                string         `json:"scope,omitempty"`
	}
	type account struct {
		Claims map[string]any `json:"claims"`
		VoT    string         `json:"vot"`
	}
	clients := make([]client, 0, len(cfg.Clients))
	for _, c := range cfg.Clients {
		if c.PublicKey == nil {
			return nil, fmt.Errorf("client %q has no PublicKey", c.ClientID)
		}
		clients = append(clients, client{
			ClientID: c.ClientID, RedirectURIs: c.RedirectURIs,
			JWKS:                 map[string]any{"keys": []any{clientJWK(c)}},
			BackchannelLogoutURI: c.BackchannelLogoutURI,
			GrantTypes:           c.GrantTypes, AuthAlg: c.AuthAlg, Scope: c.Scope,
		})
	}
	accounts := make(map[string]account, len(cfg.Accounts))
	for sub, a := range cfg.Accounts {
		accounts[sub] = account{Claims: a.Claims, VoT: a.VoT}
	}
	if _, ok := cfg.Accounts[cfg.DefaultAccount]; cfg.DefaultAccount != "" && !ok {
		return nil, fmt.Errorf("DefaultAccount %q is not in Accounts", cfg.DefaultAccount)
	}
	var nhsapp map[string]any
	if a := cfg.NHSApp; a != nil {
		sessions := map[string]any{}
		for code, s := range a.Sessions {
			if _, ok := cfg.Accounts[s.Account]; !ok {
				return nil, fmt.Errorf("NHS App session %q names %q, not in Accounts", code, s.Account)
			}
			sessions[code] = map[string]any{"account": s.Account, "no_consent": s.NoConsent}
		}
		nhsapp = map[string]any{"client_id": a.ClientID, "jwk": RSAPublicJWK(&a.Key.PublicKey, "nhsapp"), "sessions": sessions}
	}
	return json.Marshal(map[string]any{
		"nhsapp":          nhsapp,
		"port":            cfg.Port,
		"issuer_path":     cfg.IssuerPath,
		"signing_jwk":     RSAPrivateJWK(cfg.SigningKey, cfg.SigningKeyID),
		"clients":         clients,
		"accounts":        accounts,
		"default_account": cfg.DefaultAccount,
		"backend":         cfg.Backend,
	})
}

// clientJWK is the client's public key, for the algorithm it signs with.
func clientJWK(c Client) map[string]any {
	k := RSAPublicJWK(c.PublicKey, c.KeyID)
	if c.AuthAlg != "" {
		k["alg"] = c.AuthAlg
	}
	return k
}
