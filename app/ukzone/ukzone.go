// Package ukzone is the UK's time zone (Europe/London) without the tz
// database: GMT in winter, BST (UTC+1) from 01:00 UTC on the last Sunday of
// March to 01:00 UTC on the last Sunday of October, the rule in force since
// 1996. The WebAssembly app uses it instead of embedding time/tzdata (about
// 400 KB) for the one zone it shows times in; the server, which needs
// history and other zones, keeps the full database. TestSameAsTheTZDatabase
// compares it with the database hour by hour.
package ukzone

import (
	"encoding/binary"
	"time"
)

// rule is the POSIX TZ form of the current rule.
const rule = "GMT0BST,M3.5.0/1,M10.5.0"

// Location is Europe/London for every instant since 1996.
var Location = load()

func load() *time.Location {
	loc, err := time.LoadLocationFromTZData("Europe/London", tzif())
	if err != nil {
		panic("ukzone: " + err.Error()) // the blob is built here: a programming error
	}
	return loc
}

// tzif is a TZif version 2 file (RFC 8536) with no transitions, one zone
// type (GMT) and the rule as its footer, which applies to every instant
// after the (absent) last transition.
func tzif() []byte {
	header := func(b []byte) []byte {
		b = append(b, "TZif2"...)
		b = append(b, make([]byte, 15)...)
		// isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt
		for _, n := range []uint32{0, 0, 0, 0, 1, 4} {
			b = binary.BigEndian.AppendUint32(b, n)
		}
		return b
	}
	data := func(b []byte) []byte {
		b = binary.BigEndian.AppendUint32(b, 0) // utoff 0
		b = append(b, 0, 0)                     // not DST, designation 0
		return append(b, "GMT\x00"...)
	}
	var b []byte
	b = data(header(b)) // version 1 block, as readers expect
	b = data(header(b)) // version 2 block
	return append(b, "\n"+rule+"\n"...)
}
