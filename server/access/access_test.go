package access

import (
	"testing"

	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/gp"
)

func d(s string) gp.Date {
	x, err := gp.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return x
}

func TestStatusOf(t *testing.T) {
	today := d("2026-11-23")
	adult := d("1980-01-01")
	parent := gp.Relationship{Kind: "parent", Start: d("2015-01-01"), Permissions: []nhs.Permission{nhs.PermAppointments}}
	carer := gp.Relationship{Kind: "carer", Start: d("2020-01-01")}
	with := func(r gp.Relationship, f func(*gp.Relationship)) gp.Relationship { f(&r); return r }
	child := func(birth string) gp.Patient { return gp.Patient{BirthDate: d(birth)} }
	practice := func(age int) gp.Practice { return gp.Practice{ProxyChildAge: age} }
	for _, tc := range []struct {
		name     string
		rel      gp.Relationship
		actor    gp.Date
		patient  gp.Patient
		practice gp.Practice
		want     Status
	}{
		{"child of 10 years 364 days", parent, adult, child("2015-11-24"), practice(0), Active},
		{"child turns 11 today", parent, adult, child("2015-11-23"), practice(0), SuspendedAge},
		{"re-granted past the age", with(parent, func(r *gp.Relationship) { r.Regranted = true }), adult, child("2010-01-01"), practice(0), Active},
		{"practice sets 13: 12-year-old", parent, adult, child("2014-01-01"), practice(13), Active},
		{"practice sets 13: 13-year-old", parent, adult, child("2013-11-23"), practice(13), SuspendedAge},
		{"practice sets 18: capped at 16", parent, adult, child("2010-11-23"), practice(18), SuspendedAge},
		{"practice sets 18: 15-year-old", parent, adult, child("2011-01-01"), practice(18), Active},
		{"a carer's access is not a child's", carer, adult, child("1940-01-01"), practice(0), Active},
		{"proxy aged 15", carer, d("2011-01-01"), child("1940-01-01"), practice(0), ProxyTooYoung},
		{"proxy turns 16 today", carer, d("2010-11-23"), child("1940-01-01"), practice(0), Active},
		{"proxy age unknown", carer, gp.Date{}, child("1940-01-01"), practice(0), ProxyTooYoung},
		{"ended yesterday", with(carer, func(r *gp.Relationship) { r.End = d("2026-11-22") }), adult, child("1940-01-01"), practice(0), Ended},
		{"ends today", with(carer, func(r *gp.Relationship) { r.End = today }), adult, child("1940-01-01"), practice(0), Active},
		{"starts tomorrow", with(carer, func(r *gp.Relationship) { r.Start = d("2026-11-24") }), adult, child("1940-01-01"), practice(0), NotStarted},
		{"revoked", with(carer, func(r *gp.Relationship) { r.Revoked = true }), adult, child("1940-01-01"), practice(0), Revoked},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := StatusOf(tc.rel, tc.actor, tc.patient, tc.practice, today); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}
