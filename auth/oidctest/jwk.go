package oidctest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"math/big"
)

// RSAPublicJWK is pub as a JWK for RS512 signatures.
func RSAPublicJWK(pub *rsa.PublicKey, kid string) map[string]any {
	return map[string]any{
		"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS512",
		"n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes()),
	}
}

// RSAPrivateJWK is k as a JWK for RS512 signatures. It panics if k has more
// than two primes.
func RSAPrivateJWK(k *rsa.PrivateKey, kid string) map[string]any {
	if len(k.Primes) != 2 {
		panic("oidctest: RSAPrivateJWK needs a two-prime RSA key")
	}
	p, q := k.Primes[0], k.Primes[1]
	one := big.NewInt(1)
	// Computed here rather than read from k.Precomputed, which Precompute
	// would have to fill in (mutating a key the caller may share).
	dp := new(big.Int).Mod(k.D, new(big.Int).Sub(p, one))
	dq := new(big.Int).Mod(k.D, new(big.Int).Sub(q, one))
	qi := new(big.Int).ModInverse(q, p)
	m := RSAPublicJWK(&k.PublicKey, kid)
	m["d"] = b64(k.D.Bytes())
	m["p"] = b64(p.Bytes())
	m["q"] = b64(q.Bytes())
	m["dp"] = b64(dp.Bytes())
	m["dq"] = b64(dq.Bytes())
	m["qi"] = b64(qi.Bytes())
	return m
}

// signJWT makes a compact RS512 JWS of claims with the given key ID and typ.
func signJWT(key *rsa.PrivateKey, kid, typ string, claims map[string]any) (string, error) {
	header, err := json.Marshal(map[string]string{"alg": "RS512", "typ": typ, "kid": kid})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	input := b64(header) + "." + b64(payload)
	sum := sha512.Sum512([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA512, sum[:])
	if err != nil {
		return "", err
	}
	return input + "." + b64(sig), nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
