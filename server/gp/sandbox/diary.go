package sandbox

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

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
		m[p.ODS] = p.Location()
	}
	return m
}()

// The Redis keys of the diary, in the practice's slot. Slot and appointment
// keys carry no personal data; the per-patient sets are keyed by NHS number
// like the patient record.
func (s *System) daysKey(ods string) string       { return s.at(ods, "days") }
func (s *System) freeKey(ods string) string       { return s.at(ods, "free") }
func (s *System) slotKey(ods, id string) string   { return s.at(ods, "slot", id) }
func (s *System) cliniciansKey(ods string) string { return s.at(ods, "clinicians") }

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
