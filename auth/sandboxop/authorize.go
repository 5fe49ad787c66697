package sandboxop

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// authorize validates the request, then signs in the login_hint account or
// shows the picker (GET) and accepts its answer (POST).
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	q := r.Form
	client, ok := p.clients[q.Get("client_id")]
	redirect := q.Get("redirect_uri")
	if !ok || !slices.Contains(client.RedirectURIs, redirect) {
		// Never redirect to an unregistered URI.
		http.Error(w, "unknown client or redirect_uri", http.StatusBadRequest)
		return
	}
	fail := func(code, desc string) {
		u, _ := url.Parse(redirect)
		v := u.Query()
		v.Set("error", code)
		v.Set("error_description", desc)
		if s := q.Get("state"); s != "" {
			v.Set("state", s)
		}
		u.RawQuery = v.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
	}
	switch {
	case q.Get("response_type") != "code":
		fail("unsupported_response_type", "only code is supported")
		return
	case !slices.Contains(strings.Fields(q.Get("scope")), "openid"):
		fail("invalid_scope", "openid is required")
		return
	case q.Get("state") == "" || q.Get("nonce") == "":
		fail("invalid_request", "state and nonce are required")
		return
	case q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256":
		fail("invalid_request", "PKCE with S256 is required")
		return
	}
	var acct *Account
	asserted := false
	hint := q.Get("login_hint")
	if r.Method == http.MethodPost {
		hint = r.PostForm.Get("account")
	}
	if raw := q.Get("asserted_login_identity"); raw != "" && r.Method == http.MethodGet {
		// Single sign-on from the NHS App: the assertion says who, or the
		// sign-in cannot be carried over (there is no other session here).
		s, err := p.assertedSession(r.Context(), raw)
		if err != nil {
			fail("login_required", "the asserted login identity is not valid")
			return
		}
		if s.NoConsent {
			fail("access_denied", "ConsentNotGiven")
			return
		}
		hint, asserted = s.Subject, true
	} else if q.Get("prompt") == "none" && hint == "" {
		fail("login_required", "no one is signed in")
		return
	}
	for i := range p.accounts {
		a := &p.accounts[i]
		if a.Kind == client.Kind && hint != "" && (a.Hint == hint || a.Subject == hint) {
			acct = a
		}
	}
	looked := false
	if acct == nil && r.Method == http.MethodGet && hint != "" && p.lookup != nil {
		// Only a login_hint reaches Lookup: the picker offers, and accepts,
		// the fixed accounts alone.
		if a, ok := p.lookup(r.Context(), hint); ok && a.Kind == client.Kind && a.Hint == hint {
			acct, looked = &a, true
		}
	}
	if acct == nil && asserted {
		fail("login_required", "the asserted person cannot sign in to this client")
		return
	}
	if acct == nil {
		var mine []Account
		for _, a := range p.accounts {
			if a.Kind == client.Kind {
				mine = append(mine, a)
			}
		}
		params := url.Values{}
		for _, k := range []string{"client_id", "redirect_uri", "response_type", "scope", "state", "nonce", "code_challenge", "code_challenge_method", "vtr", "prompt", "response_mode"} {
			if v := q.Get(k); v != "" {
				params.Set(k, v)
			}
		}
		d := PickerData{Accounts: mine, Params: params, Action: p.base + "/authorize", Error: r.Method == http.MethodPost}
		// The picker writes its own status (422 after a refused choice) and
		// headers; the page carries the sign-in's state, so never cache it.
		w.Header().Set("Cache-Control", "no-store")
		if err := p.picker(w, r, d); err != nil {
			http.Error(w, "picker failed", http.StatusInternalServerError)
		}
		return
	}
	if vtr := q.Get("vtr"); vtr != "" {
		var want []string
		if json.Unmarshal([]byte(vtr), &want) != nil {
			fail("invalid_request", "vtr must be a JSON array")
			return
		}
		if !achieves(acct.VoT, want) {
			fail("access_denied", "the account cannot meet the requested vector of trust")
			return
		}
	}
	code, err := randomString()
	if err != nil {
		http.Error(w, "server error", http.StatusInternalServerError)
		return
	}
	g := grantRecord{
		Subject: acct.Subject, ClientID: client.ID, RedirectURI: redirect,
		Nonce: q.Get("nonce"), Challenge: q.Get("code_challenge"), VoT: acct.VoT,
	}
	if looked {
		g.Hint = hint
	}
	grant, _ := json.Marshal(g)
	if err := p.rdb.Set(r.Context(), p.prefix+"code:"+code, grant, time.Minute).Err(); err != nil {
		http.Error(w, "server error", http.StatusInternalServerError)
		return
	}
	u, _ := url.Parse(redirect)
	v := u.Query()
	v.Set("code", code)
	v.Set("state", q.Get("state"))
	u.RawQuery = v.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// achieves reports whether vot is among the requested vectors.
func achieves(vot string, want []string) bool { return slices.Contains(want, vot) }

// grantRecord is what an authorization code stands for. Hint is set only
// for an account found by Lookup, so userinfo can find it again.
type grantRecord struct {
	Subject, ClientID, RedirectURI, Nonce, Challenge, VoT string
	Hint                                                  string `json:",omitempty"`
}
