package sandbox

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/server/gp"
)

// Slots lists free slots, in start order, that start within [From, To) and
// have not started yet.
func (s *System) Slots(ctx context.Context, q gp.SlotQuery) ([]gp.Slot, error) {
	if q.From.IsZero() || q.To.IsZero() {
		return nil, errors.New("slots: from and to are required")
	}
	if err := s.ensureWindow(ctx, q.Practice); err != nil {
		return nil, fmt.Errorf("slots: %w", err)
	}
	from := max(q.From.UnixMilli(), s.now().UnixMilli())
	ids, err := s.rdb.ZRangeByScore(ctx, s.freeKey(q.Practice), &redis.ZRangeBy{
		Min: strconv.FormatInt(from, 10), Max: "(" + strconv.FormatInt(q.To.UnixMilli(), 10),
	}).Result()
	if err != nil {
		return nil, fmt.Errorf("slots: %w: %w", gp.ErrUnavailable, err)
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.SliceCmd, len(ids))
	for i, id := range ids {
		cmds[i] = pipe.HMGet(ctx, s.slotKey(q.Practice, id), slotFields...)
	}
	if len(ids) > 0 {
		if _, err := pipe.Exec(ctx); err != nil {
			return nil, fmt.Errorf("slots: %w: %w", gp.ErrUnavailable, err)
		}
	}
	loc := zones[q.Practice]
	out := make([]gp.Slot, 0, len(ids))
	for _, c := range cmds {
		sl, held, ok := slotFrom(c.Val(), loc)
		if !ok || held != "" {
			continue
		}
		if (q.Type != "" && sl.Type != q.Type) || (q.ClinicianID != "" && sl.Clinician.ID != q.ClinicianID) ||
			(q.Mode != "" && sl.Mode != q.Mode) {
			continue
		}
		out = append(out, sl)
	}
	return out, nil
}

// Slot returns one slot of the practice and whether it is free to book.
func (s *System) Slot(ctx context.Context, ods, id string) (gp.Slot, bool, error) {
	if err := s.ensureWindow(ctx, ods); err != nil {
		return gp.Slot{}, false, fmt.Errorf("slot %s: %w", id, err)
	}
	vals, err := s.rdb.HMGet(ctx, s.slotKey(ods, id), slotFields...).Result()
	if err != nil {
		return gp.Slot{}, false, fmt.Errorf("slot %s: %w: %w", id, gp.ErrUnavailable, err)
	}
	sl, held, ok := slotFrom(vals, zones[ods])
	if !ok {
		return gp.Slot{}, false, fmt.Errorf("slot %s: %w", id, gp.ErrNotFound)
	}
	return sl, held == "" && sl.Start.After(s.now()), nil
}

// slotFrom reads HMGET slotFields values; held is the holding appointment.
func slotFrom(vals []any, loc *time.Location) (sl gp.Slot, held string, ok bool) {
	str := func(i int) string {
		if i >= len(vals) {
			return ""
		}
		v, _ := vals[i].(string)
		return v
	}
	if str(0) == "" {
		return gp.Slot{}, "", false
	}
	return gp.Slot{
		ID: str(0), PracticeODS: str(1),
		Start: msTime(str(2), loc), End: msTime(str(3), loc),
		Type: gp.SlotType(str(4)), Mode: gp.Mode(str(5)),
		Clinician: gp.Clinician{ID: str(6), Name: str(7), Role: str(8)},
		Location:  str(9),
	}, str(10), true
}

// msTime reads Unix milliseconds, shown in the practice's zone.
func msTime(s string, loc *time.Location) time.Time {
	ms, err := strconv.ParseInt(s, 10, 64)
	if err != nil || ms == 0 {
		return time.Time{}
	}
	if loc == nil {
		loc = time.UTC
	}
	return time.UnixMilli(ms).In(loc)
}
