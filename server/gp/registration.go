package gp

import (
	"context"
	"errors"

	"github.com/nhs-companion/companion/internal/roundtrip"
)

// NoteRegistration records, for the rest of the request in ctx, the
// practice a patient is registered at, as a record the caller has just
// read or verified says: an adapter that needs the practice to find the
// patient's data need not read it again in the same request.
func NoteRegistration(ctx context.Context, nhsNumber, ods string) {
	if ods != "" {
		_, _ = roundtrip.Remember(ctx, registrationKey(nhsNumber), func() (string, error) { return ods, nil })
	}
}

// Registration is the practice noted for the patient in this request, or "".
func Registration(ctx context.Context, nhsNumber string) string {
	ods, _ := roundtrip.Remember(ctx, registrationKey(nhsNumber), func() (string, error) { return "", errNotNoted })
	return ods
}

var errNotNoted = errors.New("gp: registration not noted")

func registrationKey(nhsNumber string) string { return "gp:registration:" + nhsNumber }
