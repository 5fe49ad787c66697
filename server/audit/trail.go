package audit

import (
	"context"
	"errors"
	"log/slog"
)

type ctxKey int

const (
	requestKey ctxKey = iota
	sessionKey
)

// WithRequestID tags ctx with the request's ID, which every event recorded
// through a Trail under it carries.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestKey, id)
}

// RequestID is the request ID ctx was tagged with ("" if none).
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestKey).(string)
	return id
}

// WithSession tags ctx with the signed-in session's ID (a hash, never the
// cookie value).
func WithSession(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, sessionKey, id)
}

// Session is the session ID ctx was tagged with ("" if none).
func Session(ctx context.Context) string {
	id, _ := ctx.Value(sessionKey).(string)
	return id
}

// Trail is how request handlers and features record events: it fills in
// the request ID and session from the context. A failed write is logged,
// not returned: the action it describes has already happened.
type Trail struct {
	Log    Log
	Logger *slog.Logger
}

// ErrUnavailable is why a read of patient data was refused: its access
// could not be audited.
var ErrUnavailable = errors.New("audit: unavailable")

// Access records a read of patient data before the data is shown. It fails
// closed: if the event cannot be written, the caller must not show the
// data, and gets ErrUnavailable.
func (t *Trail) Access(ctx context.Context, e Event) error {
	if err := t.Log.Record(ctx, fromContext(ctx, e)); err != nil {
		t.Logger.ErrorContext(ctx, "audit: a read refused because it could not be audited", "action", e.Action, "err", err)
		return errors.Join(ErrUnavailable, err)
	}
	return nil
}

// Record records e, an action that has already happened: a failed write
// is logged.
func (t *Trail) Record(ctx context.Context, e Event) {
	if err := t.Log.Record(ctx, fromContext(ctx, e)); err != nil {
		t.Logger.ErrorContext(ctx, "audit", "action", e.Action, "err", err)
	}
}

// fromContext fills in e's request ID, and its session unless set, from
// ctx.
func fromContext(ctx context.Context, e Event) Event {
	e.RequestID = RequestID(ctx)
	if e.Session == "" {
		e.Session = Session(ctx)
	}
	return e
}
