package wire

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
)

// redisCounter is a go-redis hook counting the commands Companion sends,
// by name, for the companion_redis_commands_total metric: each command of
// a pipeline or transaction counts, as Redis counts them.
type redisCounter struct{ commands *prometheus.CounterVec }

func newRedisCounter() redisCounter {
	return redisCounter{commands: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "companion_redis_commands_total", Help: "Redis commands sent, by command name.",
	}, []string{"cmd"})}
}

func (c redisCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c redisCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.commands.WithLabelValues(cmd.Name()).Inc()
		return next(ctx, cmd)
	}
}

func (c redisCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, cmd := range cmds {
			c.commands.WithLabelValues(cmd.Name()).Inc()
		}
		return next(ctx, cmds)
	}
}
