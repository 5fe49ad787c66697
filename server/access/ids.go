package access

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"strings"

	"github.com/nhs-companion/companion/app/nhs"
)

// IDs makes the opaque IDs that stand for patients in URLs and API
// bodies, so an NHS number never appears in either. An ID is the NHS number
// encrypted as one AES block under a server key: stable, unguessable without
// the key, and reversible without storing anything.
type IDs struct {
	block cipher.Block
}

// NewIDs returns the ID scheme for a secret key (32+ bytes).
func NewIDs(key []byte) (*IDs, error) {
	if len(key) < 32 {
		return nil, errors.New("patient id key must be at least 32 bytes")
	}
	sum := sha256.Sum256(key)
	b, err := aes.NewCipher(sum[:])
	if err != nil {
		return nil, err
	}
	return &IDs{block: b}, nil
}

var pidEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// ErrUnknownID means the ID does not decode to a patient.
var ErrUnknownID = errors.New("patient id: unknown")

const pidPrefix = "nhs:0:"

// For returns the opaque ID for an NHS number.
func (p *IDs) For(nhsNumber string) string {
	var plain, out [16]byte
	copy(plain[:], pidPrefix+nhsNumber)
	p.block.Encrypt(out[:], plain[:])
	return strings.ToLower(pidEncoding.EncodeToString(out[:]))
}

// NHSNumber resolves an opaque ID. Only the authorisation layer may call it.
// Each patient has exactly one spelling of their ID, the one For makes:
// lower case, with the unused low bits of the last character clear. Any
// other spelling is unknown, so nothing keyed by an ID can be split by
// respelling it.
func (p *IDs) NHSNumber(id string) (string, error) {
	nhsNumber, err := p.decode(id)
	if err != nil || p.For(nhsNumber) != id {
		return "", ErrUnknownID
	}
	return nhsNumber, nil
}

func (p *IDs) decode(id string) (string, error) {
	if len(id) != 26 {
		return "", ErrUnknownID
	}
	raw, err := pidEncoding.DecodeString(strings.ToUpper(id))
	if err != nil || len(raw) != 16 {
		return "", ErrUnknownID
	}
	var plain [16]byte
	p.block.Decrypt(plain[:], raw)
	s := string(plain[:])
	if !strings.HasPrefix(s, pidPrefix) || !nhs.ValidNumber(s[len(pidPrefix):]) {
		return "", ErrUnknownID
	}
	return s[len(pidPrefix):], nil
}
