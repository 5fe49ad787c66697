package booking

import "time"

// ClaimClock sets the claims' clock, for tests of expiry.
func ClaimClock(c *Claims, now func() time.Time) { c.now = now }

// LaterDay is laterDay, for its test.
var LaterDay = laterDay
