package sandboxop

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
)

func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || token == "" {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		oauthError(w, http.StatusUnauthorized, "invalid_token", "bearer token required")
		return
	}
	raw, err := p.rdb.Get(r.Context(), p.prefix+"at:"+token).Bytes()
	var rec tokenRecord
	if err == nil {
		err = json.Unmarshal(raw, &rec)
	}
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		oauthError(w, http.StatusUnauthorized, "invalid_token", "unknown or expired token")
		return
	}
	a, ok := p.account(r.Context(), rec)
	if !ok {
		oauthError(w, http.StatusUnauthorized, "invalid_token", "account gone")
		return
	}
	out := map[string]any{"sub": rec.Subject}
	for k, v := range a.Claims {
		out[k] = v
	}
	writeJSON(w, http.StatusOK, out)
}

// account finds the account an access token was issued for: a fixed one by
// subject, or one Lookup found at sign-in, asked again by its hint.
func (p *Provider) account(ctx context.Context, rec tokenRecord) (Account, bool) {
	if rec.Hint == "" {
		for _, a := range p.accounts {
			if a.Subject == rec.Subject {
				return a, true
			}
		}
		return Account{}, false
	}
	if p.lookup == nil {
		return Account{}, false
	}
	a, ok := p.lookup(ctx, rec.Hint)
	return a, ok && a.Subject == rec.Subject
}
