package keep_test

import (
	"testing"

	"github.com/nhs-companion/companion/internal/redistest"
	"github.com/nhs-companion/companion/server/keep"
	"github.com/nhs-companion/companion/server/keep/keeptest"
)

func TestRedisContract(t *testing.T) {
	rs := redistest.MustStart(t)
	keeptest.Run(t, func(t *testing.T) keep.Store { return keep.Redis(rs.Client(t), "t:keep:") })
}
