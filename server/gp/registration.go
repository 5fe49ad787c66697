package gp

import (
	"context"

	"github.com/nhs-companion/companion/internal/roundtrip"
)

// NoteRegistration records, for the rest of the request in ctx, the
// practice a patient is registered at, as a record the caller has just
// read or verified says: an adapter that needs the practice to find the
// patient's data need not read it again in the same request.
func NoteRegistration(ctx context.Context, nhsNumber, ods string) {
	if ods != "" {
		roundtrip.Note(ctx, registrationKey(nhsNumber), ods)
	}
}

// Registration is the practice noted for the patient in this request, or "".
func Registration(ctx context.Context, nhsNumber string) string {
	ods, _ := roundtrip.Recall[string](ctx, registrationKey(nhsNumber))
	return ods
}

func registrationKey(nhsNumber string) string { return "gp:registration:" + nhsNumber }
