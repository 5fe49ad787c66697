package gp

import (
	"sync"
	"time"
	_ "time/tzdata" // diaries and opening hours are kept in local time; never depend on the host's zoneinfo
)

// UK is the zone of every practice in England and Wales, loaded once.
var UK = mustLoadZone("Europe/London")

func mustLoadZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// zones remembers every zone a practice named, loaded once each.
var zones sync.Map // IANA name → *time.Location

// Location is the zone the practice keeps its diary in: its TimeZone, or
// the UK's when it names none or one this build does not know.
func (p Practice) Location() *time.Location {
	if p.TimeZone == "" || p.TimeZone == "Europe/London" {
		return UK
	}
	if loc, ok := zones.Load(p.TimeZone); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		return UK
	}
	zones.Store(p.TimeZone, loc)
	return loc
}
