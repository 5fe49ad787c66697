package booking

import "time"

// ClaimClock sets the claims' clock, for tests of expiry.
func ClaimClock(c *Claims, now func() time.Time) { c.now = now }

// LaterDay is laterDay, for its test.
var LaterDay = laterDay

// HolderOf is holder, for tests that look at a person's holds.
var HolderOf = holder
