package fhir

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/nhs-companion/companion/auth/rp"
)

// SMART is SMART Backend Services client authentication: an OAuth 2.0
// client credentials grant whose client authenticates with a
// private_key_jwt assertion signed RS384. The bearer token it gets is
// kept until shortly before it expires and shared by every call; it is
// never logged or put in an error.
type SMART struct {
	TokenURL, ClientID, KeyID string
	Key                       *rsa.PrivateKey
	// Scope is what is asked for (system/*.read system/*.write when
	// empty).
	Scope string
	// HTTPClient sends token requests (http.DefaultClient when nil).
	HTTPClient *http.Client
	// Now gives the current time (time.Now when nil).
	Now func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
	fetches int
}

// renewBefore is how long before expiry a token is replaced, so no call
// goes out with one about to lapse.
const renewBefore = 30 * time.Second

// Token returns a bearer token, fetching one when none is held or the one
// held is about to expire. Concurrent callers share one fetch.
func (s *SMART) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if s.token != "" && now.Before(s.expires.Add(-renewBefore)) {
		return s.token, nil
	}
	tok, ttl, err := s.fetch(ctx, now)
	if err != nil {
		return "", err
	}
	s.token, s.expires = tok, now.Add(ttl)
	s.fetches++
	return tok, nil
}

// Fetches counts the tokens fetched so far, for tests and metrics.
func (s *SMART) Fetches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetches
}

func (s *SMART) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *SMART) fetch(ctx context.Context, now time.Time) (string, time.Duration, error) {
	if s.Key == nil || s.ClientID == "" || s.TokenURL == "" {
		return "", 0, errors.New("smart: TokenURL, ClientID and Key are required")
	}
	assertion, err := rp.Assertion(jwt.SigningMethodRS384, s.ClientID, s.TokenURL, s.KeyID, s.Key, now)
	if err != nil {
		return "", 0, fmt.Errorf("smart: sign assertion: %w", err)
	}
	scope := s.Scope
	if scope == "" {
		scope = "system/*.read system/*.write"
	}
	form := url.Values{
		"grant_type": {"client_credentials"}, "scope": {scope},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {assertion},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	hc := s.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	res, err := hc.Do(req)
	if err != nil {
		return "", 0, fmt.Errorf("smart: token request: %w", unwrapURL(err))
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	var body struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
		Error       string `json:"error"`
	}
	if err := json.Unmarshal(b, &body); err != nil {
		return "", 0, fmt.Errorf("smart: token endpoint answered %s, not JSON", res.Status)
	}
	if res.StatusCode != http.StatusOK || body.AccessToken == "" {
		// The error code only: the description may echo the request.
		return "", 0, fmt.Errorf("smart: token endpoint answered %s (%s)", res.Status, body.Error)
	}
	if !strings.EqualFold(body.TokenType, "bearer") {
		return "", 0, fmt.Errorf("smart: token type %q, want Bearer", body.TokenType)
	}
	ttl := time.Duration(body.ExpiresIn) * time.Second
	if ttl <= renewBefore {
		ttl = renewBefore + time.Second // use it once; fetch again next time
	}
	return body.AccessToken, ttl, nil
}
