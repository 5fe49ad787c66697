package sandbox

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/server/gp"
)

// windowMarks remembers, per practice, the local date whose rolling window
// this process last saw in place, so reads in a rush cost no generation
// work (not even a check) for a minute at a time.
type windowMarks struct {
	mu   sync.Mutex
	seen map[string]windowMark
}

type windowMark struct {
	day string
	at  time.Time
}

// ensureWindow makes sure the practice's slots exist for the coming
// horizonDays days. Days already generated are left alone, so bookings
// survive; it is safe to run from any number of processes at once. Slots
// are generated here, on first use, not in Seed, so starting a server
// costs nothing for a diary nobody looks at.
func (s *System) ensureWindow(ctx context.Context, ods string) error {
	loc, ok := zones[ods]
	if !ok {
		return gp.ErrNotFound
	}
	now := s.now()
	today := now.In(loc).Format(time.DateOnly)
	s.marks.mu.Lock()
	defer s.marks.mu.Unlock()
	if m, ok := s.marks.seen[ods]; ok && m.day == today && now.Sub(m.at) < recheckEvery && now.Sub(m.at) >= 0 {
		return nil
	}
	s.reseedIfLost(ctx)
	if err := s.generate(ctx, ods, now); err != nil {
		return err
	}
	s.marks.seen[ods] = windowMark{today, now}
	return nil
}

// generate writes the days of the window not yet generated and prunes
// what has passed.
func (s *System) generate(ctx context.Context, ods string, now time.Time) error {
	loc := zones[ods]
	days := windowDays(now.In(loc))
	have, err := s.rdb.ZRangeByScore(ctx, s.daysKey(ods), &redis.ZRangeBy{
		Min: strconv.Itoa(dayScore(days[0])), Max: "+inf",
	}).Result()
	if err != nil {
		return fmt.Errorf("%w: %w", gp.ErrUnavailable, err)
	}
	for _, d := range days {
		if slices.Contains(have, d.Format(time.DateOnly)) || !weekday(d) {
			continue
		}
		if err := s.generateDay(ctx, ods, d, now); err != nil {
			return err
		}
	}
	pipe := s.rdb.Pipeline()
	pipe.ZRemRangeByScore(ctx, s.freeKey(ods), "-inf", "("+strconv.FormatInt(now.UnixMilli(), 10))
	pipe.ZRemRangeByScore(ctx, s.daysKey(ods), "-inf", "("+strconv.Itoa(dayScore(days[0].AddDate(0, 0, -keepPastDays))))
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("%w: %w", gp.ErrUnavailable, err)
	}
	return nil
}

// windowDays are the local dates (at noon, clear of clock changes) from
// today for horizonDays days.
func windowDays(today time.Time) []time.Time {
	y, m, d := today.Date()
	out := make([]time.Time, horizonDays)
	for i := range out {
		out[i] = time.Date(y, m, d+i, 12, 0, 0, 0, today.Location())
	}
	return out
}

func weekday(d time.Time) bool { return d.Weekday() != time.Saturday && d.Weekday() != time.Sunday }

func dayScore(d time.Time) int {
	y, m, dd := d.Date()
	return y*10000 + int(m)*100 + dd
}

// slotFields is the order of a slot's fields in the generation script's
// arguments and in reads.
var slotFields = []string{"id", "ods", "start", "end", "type", "mode", "clin", "cname", "crole", "loc", "appt"}

// genScript writes one day's slots unless the day has been generated
// already, so concurrent generators and repeated runs change nothing.
// KEYS: days, free, slot hashes. ARGV: date, day score, time to live (s),
// then per slot the first len(slotFields)-1 fields.
var genScript = redis.NewScript(`
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local n = 10
for i = 3, #KEYS do
  local b = 4 + (i - 3) * n
  redis.call('HSET', KEYS[i], 'id', ARGV[b], 'ods', ARGV[b+1], 'start', ARGV[b+2], 'end', ARGV[b+3],
    'type', ARGV[b+4], 'mode', ARGV[b+5], 'clin', ARGV[b+6], 'cname', ARGV[b+7], 'crole', ARGV[b+8], 'loc', ARGV[b+9])
  redis.call('EXPIRE', KEYS[i], ARGV[3])
  redis.call('ZADD', KEYS[2], ARGV[b+2], ARGV[b])
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return 1
`)

// generateDay writes one local day of the practice's diary.
func (s *System) generateDay(ctx context.Context, ods string, day, now time.Time) error {
	slots := daySlots(ods, day)
	keys := make([]string, 0, 2+len(slots))
	keys = append(keys, s.daysKey(ods), s.freeKey(ods))
	y, m, d := day.Date()
	// Relative to the system's clock, not Redis's, so a sandbox running on
	// another date (tests, demos) keeps its slots as long as a live one.
	ttl := int64(time.Date(y, m, d+1+keepPastDays, 0, 0, 0, 0, day.Location()).Sub(now) / time.Second)
	args := make([]any, 0, 3+10*len(slots))
	args = append(args, day.Format(time.DateOnly), dayScore(day), max(ttl, 1))
	for _, sl := range slots {
		keys = append(keys, s.slotKey(ods, sl.ID))
		args = append(args, sl.ID, ods, sl.Start.UnixMilli(), sl.End.UnixMilli(), string(sl.Type), string(sl.Mode),
			sl.Clinician.ID, sl.Clinician.Name, sl.Clinician.Role, sl.Location)
	}
	if err := genScript.Run(ctx, s.rdb, keys, args...).Err(); err != nil {
		return fmt.Errorf("generate slots: %w: %w", gp.ErrUnavailable, err)
	}
	return nil
}

// daySlots is the practice's diary for one local date. Times are built with
// time.Date in the practice's zone, so 08:00 is 08:00 on the clock whatever
// the offset that day.
func daySlots(ods string, day time.Time) []gp.Slot {
	y, m, d := day.Date()
	loc := day.Location()
	var out []gp.Slot
	for _, c := range diaries[ods] {
		for _, se := range c.sessions {
			from, to := clock(se.from), clock(se.to)
			step := int(se.length / time.Minute)
			for min := from; min+step <= to; min += step {
				start := time.Date(y, m, d, 0, min, 0, 0, loc)
				out = append(out, gp.Slot{
					ID:          slotID(ods, start, c.ID),
					PracticeODS: ods,
					Start:       start,
					End:         time.Date(y, m, d, 0, min+step, 0, 0, loc),
					Type:        se.typ, Mode: se.mode, Clinician: c.Clinician, Location: se.location,
				})
			}
		}
	}
	return out
}

// slotID names a slot by practice, local start and clinician: stable, so
// regenerating a day could never mint a second copy, and free of personal
// data.
func slotID(ods string, start time.Time, clinician string) string {
	return ods + "-" + start.Format("20060102T1504") + "-" + clinician
}

// clock reads "HH:MM" as minutes after midnight.
func clock(s string) int {
	t, err := time.Parse("15:04", s)
	if err != nil {
		panic("sandbox diary: bad clock time " + s)
	}
	return t.Hour()*60 + t.Minute()
}
