package flags_test

import (
	"fmt"
	"testing"

	"github.com/nhs-companion/companion/internal/redistest"
	"github.com/nhs-companion/companion/server/flags"
	"github.com/nhs-companion/companion/server/flags/flagstest"
)

func TestRedisRulesContract(t *testing.T) {
	rs := redistest.MustStart(t)
	n := 0
	flagstest.Run(t, func(t *testing.T) flags.Rules {
		n++
		return flags.RedisRules(rs.Client(t), fmt.Sprintf("t%d:", n))
	})
}
