package audit_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/nhs-companion/companion/internal/redistest"
	"github.com/nhs-companion/companion/server/audit"
	"github.com/nhs-companion/companion/server/audit/audittest"
)

func TestStreamContract(t *testing.T) {
	rs := redistest.MustStart(t)
	n := 0
	audittest.Run(t, func(t *testing.T, now func() time.Time) audit.Log {
		n++
		return audit.NewStream(rs.Client(t), fmt.Sprint("audit", n), 2*365*24*time.Hour, now)
	})
}
