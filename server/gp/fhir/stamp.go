package fhir

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/gp"
)

// AccessStamp asks for the versions of everything the actor's access rests
// on, in two batches at most: their own Patient and their RelatedPersons,
// then each RelatedPerson's Patient and the Consents naming it. The stamp
// is a digest of every resource's type, id and version, so it changes when
// one is created, changed or deleted. (Plain searches and reads only: a
// server need not support _include or _revinclude.) When an answer cannot
// be stamped (no versions, more than one page), the stamp is new every
// time, so nothing is served from a cache on it.
func (s *System) AccessStamp(ctx context.Context, actorNHS string) (string, error) {
	if !nhs.ValidNumber(actorNHS) {
		return "none", nil
	}
	id := url.Values{"identifier": {NHSNumberSystem + "|" + actorNHS}, "_count": {"100"}}
	var st stamper
	first, err := s.batch(ctx, "Patient?"+id.Encode(), "RelatedPerson?"+id.Encode())
	if err != nil {
		return "", err
	}
	var then []string
	for _, e := range first {
		rps, err := st.add(e)
		if err != nil {
			return "", err
		}
		for _, rp := range rps {
			if rp.ResourceType == "RelatedPerson" {
				q := url.Values{"actor": {ref("RelatedPerson", rp.ID)}, "_count": {"100"}}
				then = append(then, "Consent?"+q.Encode(), "Patient/"+url.PathEscape(idOf(rp.Patient, "Patient")))
			}
		}
	}
	if len(then) > 0 {
		second, err := s.batch(ctx, then...)
		if err != nil {
			return "", err
		}
		for _, e := range second {
			if _, err := st.add(e); err != nil {
				return "", err
			}
		}
	}
	if st.unstampable {
		return unstampable()
	}
	slices.Sort(st.parts)
	sum := sha256.Sum256([]byte(strings.Join(st.parts, "\n")))
	return hex.EncodeToString(sum[:16]), nil
}

// batch sends GETs as one batch and returns their answers in order.
func (s *System) batch(ctx context.Context, gets ...string) ([]bundleEntry, error) {
	req := bundle{ResourceType: "Bundle", Type: "batch"}
	for _, u := range gets {
		req.Entry = append(req.Entry, bundleEntry{Request: &bundleRequest{Method: http.MethodGet, URL: u}})
	}
	var res bundle
	if _, err := s.c.do(ctx, http.MethodPost, s.c.base, nil, req, &res); err != nil {
		return nil, fmt.Errorf("access stamp: %w", err)
	}
	if res.Type != "batch-response" || len(res.Entry) != len(req.Entry) {
		return nil, fmt.Errorf("%w: access stamp: a %q answer of %d entries for %d", gp.ErrUnavailable, res.Type, len(res.Entry), len(req.Entry))
	}
	return res.Entry, nil
}

// stamped is what a stamp needs of a resource.
type stamped struct {
	ResourceType string    `json:"resourceType"`
	ID           string    `json:"id"`
	Meta         meta      `json:"meta"`
	Patient      reference `json:"patient"` // a RelatedPerson's
}

type stamper struct {
	parts       []string
	unstampable bool
}

// add stamps one batch answer (a searchset or a read) and returns the
// resources in it.
func (st *stamper) add(e bundleEntry) ([]stamped, error) {
	if e.Response == nil {
		return nil, fmt.Errorf("%w: access stamp: an entry with no response", gp.ErrUnavailable)
	}
	code := strings.Fields(e.Response.Status)
	switch {
	case len(code) > 0 && (code[0] == "404" || code[0] == "410"):
		st.parts = append(st.parts, "gone "+e.Response.Status)
		return nil, nil
	case len(code) == 0 || code[0] != "200":
		return nil, fmt.Errorf("%w: access stamp: an entry answered %q", gp.ErrUnavailable, e.Response.Status)
	}
	var r struct {
		stamped
		Link  []bundleLink `json:"link"`
		Entry []struct {
			Resource stamped `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(e.Resource, &r); err != nil {
		return nil, fmt.Errorf("%w: access stamp: %w", gp.ErrUnavailable, err)
	}
	var out []stamped
	if r.ResourceType != "Bundle" {
		out = append(out, r.stamped)
	} else {
		st.unstampable = st.unstampable || slices.ContainsFunc(r.Link, func(l bundleLink) bool { return l.Relation == "next" })
		for _, m := range r.Entry {
			out = append(out, m.Resource)
		}
	}
	for _, x := range out {
		v := cmp.Or(x.Meta.VersionID, x.Meta.LastUpdated)
		if v == "" || x.ID == "" {
			st.unstampable = true
		}
		st.parts = append(st.parts, x.ResourceType+"/"+x.ID+"/"+v)
	}
	return out, nil
}

// unstampable is a stamp no other call returns.
func unstampable() (string, error) {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "unstamped-" + hex.EncodeToString(b[:]), nil
}
