package ui

import (
	"testing"
	"time"

	"github.com/nhs-companion/companion/app/api"
)

// TestIsPageIsThePageTable: the app draws the table's pages (data
// pages among them) and leaves every other path, downloads included, to
// the server.
func TestIsPageIsThePageTable(t *testing.T) {
	for path, want := range map[string]bool{
		"/": true, "/appointments": true, "/appointments/a1": true, "/appointments/a1/cancel": true,
		"/record/medicines": true, "/settings": true,
		"/appointments/a1/calendar.ics": false, "/record/documents/d1/file": false, "/auth/login": false,
		"/profiles/p1/switch": false, "/admin": false, "/appointments/a1/waitlist/accept": false,
	} {
		if got := IsPage(path); got != want {
			t.Errorf("IsPage(%s) = %v", path, got)
		}
	}
	if !isDataPage("/appointments/a1") || isDataPage("/help") || isDataPage("/") {
		t.Error("isDataPage does not follow the table's fromServer")
	}
}

// TestHoldsOnlyThisPagesState: the state in hand stands for a page only
// at its own path and query (lang aside), and not once the app has moved.
func TestHoldsOnlyThisPagesState(t *testing.T) {
	s := &Store{State: api.PageState{Path: "/appointments/book", Query: "day=2026-12-04&type=gp"}}
	for target, want := range map[string]bool{
		"/appointments/book?type=gp&day=2026-12-04":         true,
		"/appointments/book?type=gp&day=2026-12-04&lang=cy": true,
		"/appointments/book?type=gp":                        false,
		"/appointments/book":                                false,
		"/appointments":                                     false,
	} {
		if got := s.holds(target); got != want {
			t.Errorf("holds(%s) = %v", target, got)
		}
	}
	s.navigate("/appointments")
	if s.holds("/appointments") {
		t.Error("a fresh state holds a page it was never answered for")
	}
	s.handOver(api.PageState{Path: "/appointments"})
	if !s.holds("/appointments") {
		t.Error("an answered state does not hold its page")
	}
}

// TestPrefetchedOnceFreshAndForItsProfile: a page fetched ahead is used
// once, only within prefetchFor, and only for the profile in use.
func TestPrefetchedOnceFreshAndForItsProfile(t *testing.T) {
	amara := api.PageState{User: &api.User{PatientID: "amara"}}
	layla := amara
	layla.ActingFor = &api.Profile{PatientID: "layla"}
	s := &Store{State: amara, ahead: map[string]prefetched{
		"/appointments":  {st: api.PageState{Path: "/appointments"}, at: time.Now(), profile: "amara"},
		"/prescriptions": {st: api.PageState{Path: "/prescriptions"}, at: time.Now().Add(-prefetchFor - time.Second), profile: "amara"},
		"/record":        {st: api.PageState{Path: "/record"}, at: time.Now(), profile: "layla"},
	}}
	if st, ok := s.takePrefetched("/appointments"); !ok || st.Path != "/appointments" {
		t.Error("a fresh page fetched ahead for this profile is not used")
	}
	if _, ok := s.takePrefetched("/appointments"); ok {
		t.Error("a page fetched ahead is used twice")
	}
	if _, ok := s.takePrefetched("/prescriptions"); ok {
		t.Error("a page fetched ahead is used after prefetchFor")
	}
	if _, ok := s.takePrefetched("/record"); ok {
		t.Error("Layla's page fetched ahead is used while Amara is herself")
	}
	s.State = layla
	if _, ok := s.takePrefetched("/record"); ok {
		t.Error("a page fetched ahead outlived its first look")
	}
}
