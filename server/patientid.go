package server

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"
)

// PatientIDs makes the opaque IDs that stand for patients in URLs and API
// bodies, so an NHS number never appears in either. An ID is a keyed hash of
// the NHS number (stable, unguessable without the key); Redis remembers the
// way back.
type PatientIDs struct {
	Redis  redis.UniversalClient
	Prefix string
	Key    []byte
}

var pidEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// ErrUnknownPatientID means the ID names no patient Companion has seen.
var ErrUnknownPatientID = errors.New("patient id: unknown")

// For returns the opaque ID for an NHS number.
func (p *PatientIDs) For(ctx context.Context, nhsNumber string) (string, error) {
	m := hmac.New(sha256.New, p.Key)
	m.Write([]byte("patient:" + nhsNumber))
	id := strings.ToLower(pidEncoding.EncodeToString(m.Sum(nil)[:16]))
	if err := p.Redis.Set(ctx, p.Prefix+"pid:"+id, nhsNumber, 0).Err(); err != nil {
		return "", fmt.Errorf("patient id: %w", err)
	}
	return id, nil
}

// NHSNumber resolves an opaque ID. Only the authorisation layer may call it.
func (p *PatientIDs) NHSNumber(ctx context.Context, id string) (string, error) {
	if len(id) != 26 || strings.Trim(id, "abcdefghijklmnopqrstuvwxyz234567") != "" {
		return "", ErrUnknownPatientID
	}
	n, err := p.Redis.Get(ctx, p.Prefix+"pid:"+id).Result()
	if errors.Is(err, redis.Nil) {
		return "", ErrUnknownPatientID
	}
	if err != nil {
		return "", fmt.Errorf("patient id: %w", err)
	}
	return n, nil
}
