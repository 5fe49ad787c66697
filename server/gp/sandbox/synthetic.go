package sandbox

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/gp"
)

// syntheticFirst is the first nine digits from which synthetic patients'
// NHS numbers are counted: the 9991 block, in the never-issued 999 range and
// clear of the cast's 9990 block.
const syntheticFirst = 999100000

// syntheticLast bounds the 9991 block.
const syntheticLast = 999199999

// SyntheticNumbers returns the first n valid NHS numbers from 9991000000 up
// (numbers whose check digit would be 10 do not exist and are skipped), so
// load tests and the server's tests can name the same people without asking.
func SyntheticNumbers(n int) []string {
	out := make([]string, 0, max(n, 0))
	for nine := syntheticFirst; len(out) < n && nine <= syntheticLast; nine++ {
		s := strconv.Itoa(nine)
		if d, ok := nhs.CheckDigit(s); ok {
			out = append(out, s+string(d))
		}
	}
	return out
}

// AddPatients registers n synthetic patients at the practice, for load
// tests, and returns their NHS numbers. It is deterministic and idempotent:
// the same n gives the same people, rewritten unchanged. Numbers are shared
// across practices, so adding them at another practice moves them there.
func (s *System) AddPatients(ctx context.Context, practice string, n int) ([]string, error) {
	if _, ok := zones[practice]; !ok {
		return nil, fmt.Errorf("add patients: %w", gp.ErrNotFound)
	}
	numbers := SyntheticNumbers(n)
	if len(numbers) < n {
		return nil, fmt.Errorf("add patients: only %d synthetic numbers exist", len(numbers))
	}
	// Where they are now, so a move takes them off the old practice's list.
	pipe := s.rdb.Pipeline()
	was := make([]*redis.StringCmd, len(numbers))
	proxies := make([]*redis.StringSliceCmd, len(numbers))
	for i, num := range numbers {
		was[i] = pipe.HGet(ctx, s.key("patient", num), "practice")
		proxies[i] = pipe.HKeys(ctx, s.key("proxy", "by-patient", num))
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("add patients: %w: %w", gp.ErrUnavailable, err)
	}
	pipe = s.rdb.Pipeline()
	for i, num := range numbers {
		if old := was[i].Val(); old != "" && old != practice {
			pipe.SRem(ctx, s.registeredKey(old), num)
		}
		pipe.HSet(ctx, s.key("patient", num), map[string]any{
			"nhs": num, "given": "Test", "family": fmt.Sprintf("Patient %04d", i+1),
			"birth": syntheticBirth(i).String(), "practice": practice,
		})
		pipe.SAdd(ctx, s.registeredKey(practice), num)
		// Their record changed: so did the access of everyone acting for them.
		pipe.Incr(ctx, s.accessKey(num))
		for _, actor := range proxies[i].Val() {
			pipe.Incr(ctx, s.accessKey(actor))
		}
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("add patients: %w: %w", gp.ErrUnavailable, err)
	}
	return numbers, nil
}

// syntheticBirth spreads synthetic patients over adult ages with fixed
// dates, so adding them again changes nothing.
func syntheticBirth(i int) gp.Date {
	return gp.DateOf(time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, (i*97)%(50*365)))
}
