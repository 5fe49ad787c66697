package server

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"strings"

	"github.com/nhs-companion/companion/app/nhs"
)

// PatientIDs makes the opaque IDs that stand for patients in URLs and API
// bodies, so an NHS number never appears in either. An ID is the NHS number
// encrypted as one AES block under a server key: stable, unguessable without
// the key, and reversible without storing anything.
type PatientIDs struct {
	block cipher.Block
}

// NewPatientIDs returns the ID scheme for a secret key (32+ bytes).
func NewPatientIDs(key []byte) (*PatientIDs, error) {
	if len(key) < 32 {
		return nil, errors.New("patient id key must be at least 32 bytes")
	}
	sum := sha256.Sum256(key)
	b, err := aes.NewCipher(sum[:])
	if err != nil {
		return nil, err
	}
	return &PatientIDs{block: b}, nil
}

var pidEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// ErrUnknownPatientID means the ID does not decode to a patient.
var ErrUnknownPatientID = errors.New("patient id: unknown")

const pidPrefix = "nhs:0:"

// For returns the opaque ID for an NHS number.
func (p *PatientIDs) For(nhsNumber string) string {
	var plain, out [16]byte
	copy(plain[:], pidPrefix+nhsNumber)
	p.block.Encrypt(out[:], plain[:])
	return strings.ToLower(pidEncoding.EncodeToString(out[:]))
}

// NHSNumber resolves an opaque ID. Only the authorisation layer may call it.
func (p *PatientIDs) NHSNumber(id string) (string, error) {
	if len(id) != 26 {
		return "", ErrUnknownPatientID
	}
	raw, err := pidEncoding.DecodeString(strings.ToUpper(id))
	if err != nil || len(raw) != 16 {
		return "", ErrUnknownPatientID
	}
	var plain [16]byte
	p.block.Decrypt(plain[:], raw)
	s := string(plain[:])
	if !strings.HasPrefix(s, pidPrefix) || !nhs.ValidNumber(s[len(pidPrefix):]) {
		return "", ErrUnknownPatientID
	}
	return s[len(pidPrefix):], nil
}
