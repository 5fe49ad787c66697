package sandboxop

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"math/big"
	"net/http"
)

func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                           p.issuer,
		"authorization_endpoint":                           p.issuer + "/authorize",
		"token_endpoint":                                   p.issuer + "/token",
		"userinfo_endpoint":                                p.issuer + "/userinfo",
		"jwks_uri":                                         p.issuer + "/jwks",
		"response_types_supported":                         []string{"code"},
		"response_modes_supported":                         []string{"query"},
		"grant_types_supported":                            []string{"authorization_code"},
		"subject_types_supported":                          []string{"public"},
		"id_token_signing_alg_values_supported":            []string{"RS512"},
		"token_endpoint_auth_methods_supported":            []string{"private_key_jwt"},
		"token_endpoint_auth_signing_alg_values_supported": []string{"RS512"},
		"code_challenge_methods_supported":                 []string{"S256"},
		"scopes_supported":                                 []string{"openid", "profile", "email", "phone", "gp_registration_details"},
		"claims_supported": []string{"sub", "nhs_number", "birthdate", "family_name", "given_name",
			"identity_proofing_level", "gp_registration_details", "vot"},
		"vtr_supported": []string{"P0.Cp.Cd", "P5.Cp.Cd", "P5.Cp.Ck", "P5.Cm", "P9.Cp.Cd", "P9.Cp.Ck", "P9.Cm"},
	})
}

func (p *Provider) jwks(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"keys": []any{PublicJWK(&p.key.PublicKey, p.keyID, "RS512")}})
}

// PublicJWK is the JWK of an RSA public key.
func PublicJWK(pub *rsa.PublicKey, kid, alg string) map[string]any {
	return map[string]any{
		"kty": "RSA", "use": "sig", "alg": alg, "kid": kid,
		"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}
}

func thumb(pub *rsa.PublicKey) string {
	sum := sha256.Sum256(pub.N.Bytes())
	return base64.RawURLEncoding.EncodeToString(sum[:8])
}
