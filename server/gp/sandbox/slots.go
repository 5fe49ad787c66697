package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"
	_ "time/tzdata" // diaries are kept in local time; the sandbox must not depend on the host's zoneinfo

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/server/gp"
)

// Diary shape: how far ahead the sandbox offers slots, how long it keeps
// past days' slot records, and how often a process re-checks that the
// rolling window is in place.
const (
	horizonDays  = 28
	keepPastDays = 7
	recheckEvery = time.Minute
)

// session is a run of equal slots in a clinician's day, in local clock time.
type session struct {
	from, to string // "08:00", "12:30"
	length   time.Duration
	typ      gp.SlotType
	mode     gp.Mode
	location string
}

// diaryClinician is a clinician and their working weekday.
type diaryClinician struct {
	gp.Clinician
	sessions []session
}

// diaries are the sandbox practices' clinicians and their days. Together
// each practice's day runs from 08:00 to 18:30.
var diaries = map[string][]diaryClinician{
	PilotPractice: {
		{gp.Clinician{ID: "C101", Name: "Dr Helen Marsh", Role: "GP"}, []session{
			{"08:00", "12:00", 15 * time.Minute, gp.SlotGP, gp.ModeInPerson, "Room 1"},
			{"12:00", "13:00", 15 * time.Minute, gp.SlotGP, gp.ModeTelephone, ""},
			{"14:00", "18:30", 15 * time.Minute, gp.SlotGP, gp.ModeInPerson, "Room 1"},
		}},
		{gp.Clinician{ID: "C102", Name: "Dr Tomasz Nowak", Role: "GP"}, []session{
			{"08:00", "09:00", 10 * time.Minute, gp.SlotGP, gp.ModeTelephone, ""},
			{"09:00", "12:30", 15 * time.Minute, gp.SlotGP, gp.ModeInPerson, "Room 2"},
			{"15:00", "17:00", 15 * time.Minute, gp.SlotGP, gp.ModeVideo, ""},
		}},
		{gp.Clinician{ID: "C103", Name: "Grace Adeyemi", Role: "Practice nurse"}, []session{
			{"08:00", "10:00", 10 * time.Minute, gp.SlotBloodTest, gp.ModeInPerson, "Treatment room"},
			{"10:00", "12:20", 20 * time.Minute, gp.SlotNurse, gp.ModeInPerson, "Treatment room"},
			{"13:40", "16:00", 20 * time.Minute, gp.SlotNurse, gp.ModeInPerson, "Treatment room"},
			{"16:00", "17:00", 15 * time.Minute, gp.SlotNurse, gp.ModeTelephone, ""},
		}},
		{gp.Clinician{ID: "C104", Name: "Liam Carter", Role: "Healthcare assistant"}, []session{
			{"08:00", "11:00", 10 * time.Minute, gp.SlotBloodTest, gp.ModeInPerson, "Room 4"},
			{"13:00", "15:00", 10 * time.Minute, gp.SlotBloodTest, gp.ModeInPerson, "Room 4"},
		}},
	},
	NonPilotPractice: {
		{gp.Clinician{ID: "C201", Name: "Dr Siân Morgan", Role: "GP"}, []session{
			{"08:00", "12:00", 15 * time.Minute, gp.SlotGP, gp.ModeInPerson, "Ystafell 1 / Room 1"},
			{"14:00", "18:30", 15 * time.Minute, gp.SlotGP, gp.ModeInPerson, "Ystafell 1 / Room 1"},
		}},
		{gp.Clinician{ID: "C202", Name: "Dr Owain Price", Role: "GP"}, []session{
			{"08:30", "10:00", 10 * time.Minute, gp.SlotGP, gp.ModeTelephone, ""},
			{"10:00", "12:30", 15 * time.Minute, gp.SlotGP, gp.ModeInPerson, "Ystafell 2 / Room 2"},
		}},
		{gp.Clinician{ID: "C203", Name: "Bethan Hughes", Role: "Practice nurse"}, []session{
			{"08:00", "10:00", 10 * time.Minute, gp.SlotBloodTest, gp.ModeInPerson, "Ystafell driniaeth / Treatment room"},
			{"10:00", "13:00", 20 * time.Minute, gp.SlotNurse, gp.ModeInPerson, "Ystafell driniaeth / Treatment room"},
			{"14:00", "17:00", 20 * time.Minute, gp.SlotNurse, gp.ModeInPerson, "Ystafell driniaeth / Treatment room"},
		}},
	},
}

// bookingRules are the practices' online booking rules. The non-pilot
// practice wants a reason with every booking, so the per-practice rule shows.
func bookingRules(ods string) gp.BookingRules {
	r := gp.DefaultBookingRules
	if ods == NonPilotPractice {
		r.ReasonRequired = true
	}
	return r
}

// zones holds each sandbox practice's loaded time zone.
var zones = func() map[string]*time.Location {
	m := map[string]*time.Location{}
	for _, p := range practices {
		loc, err := time.LoadLocation(p.TimeZone)
		if err != nil {
			panic(fmt.Sprintf("sandbox practice %s: %v", p.ODS, err))
		}
		m[p.ODS] = loc
	}
	return m
}()

// The Redis keys of the diary. Slot and appointment keys carry no personal
// data; the per-patient sets are keyed by NHS number like the patient record.
func (s *System) daysKey(ods string) string       { return s.key("days", ods) }
func (s *System) freeKey(ods string) string       { return s.key("free", ods) }
func (s *System) slotKey(ods, id string) string   { return s.key("slot", ods, id) }
func (s *System) cliniciansKey(ods string) string { return s.key("clinicians", ods) }

// seedDiary adds the practices' booking rules and clinicians to a seed.
func (s *System) seedDiary(ctx context.Context, pipe redis.Pipeliner) error {
	for _, p := range practices {
		r := bookingRules(p.ODS)
		pipe.HSet(ctx, s.key("practice", p.ODS), map[string]any{
			"max_future": r.MaxFuture, "book_cutoff": int64(r.BookCutoff / time.Second),
			"cancel_cutoff": int64(r.CancelCutoff / time.Second), "reason_max": r.ReasonMax,
			"reason_required": strconv.FormatBool(r.ReasonRequired),
		})
		fields := map[string]any{}
		for _, c := range diaries[p.ODS] {
			b, err := json.Marshal(storedClinician{Name: c.Name, Role: c.Role})
			if err != nil {
				return err
			}
			fields[c.ID] = b
		}
		pipe.HSet(ctx, s.cliniciansKey(p.ODS), fields)
	}
	return nil
}

// rulesFrom reads booking rules from a stored practice, defaulting records
// seeded before practices had rules.
func rulesFrom(m map[string]string) gp.BookingRules {
	if _, ok := m["max_future"]; !ok {
		return gp.DefaultBookingRules
	}
	return gp.BookingRules{
		MaxFuture:      atoi(m["max_future"]),
		BookCutoff:     time.Duration(atoi(m["book_cutoff"])) * time.Second,
		CancelCutoff:   time.Duration(atoi(m["cancel_cutoff"])) * time.Second,
		ReasonMax:      atoi(m["reason_max"]),
		ReasonRequired: m["reason_required"] == "true",
	}
}

// storedClinician is a clinician as the sandbox keeps it in Redis.
type storedClinician struct {
	Name string `json:"name"`
	Role string `json:"role"`
}

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
