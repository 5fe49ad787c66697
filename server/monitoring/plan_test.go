package monitoring_test

import (
	"testing"

	"github.com/nhs-companion/companion/internal/redistest"
	"github.com/nhs-companion/companion/server/monitoring"
	"github.com/nhs-companion/companion/server/monitoring/plantest"
)

func TestRedisStoreContract(t *testing.T) {
	rs := redistest.MustStart(t)
	plantest.Run(t, func(t *testing.T) monitoring.Store { return monitoring.RedisStore(rs.Client(t), "t:") })
}
