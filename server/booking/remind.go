package booking

import (
	"context"
	"time"

	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/notify"
)

// reminderHour is when, UK time, the afternoon before an appointment its
// reminder is sent.
const reminderHour = 16

// ReminderAt is when an appointment starting at start is reminded of: 16:00
// UK time the day before.
func ReminderAt(start time.Time) time.Time {
	d := start.In(gp.UK).AddDate(0, 0, -1)
	return time.Date(d.Year(), d.Month(), d.Day(), reminderHour, 0, 0, 0, gp.UK)
}

// remind schedules the reminder of a just booked appointment, unless its
// time has passed (booked the evening before, it needs none).
func (s *Service) remind(ctx context.Context, p *access.Patient, a gp.Appointment) {
	if at := ReminderAt(a.Slot.Start); at.After(s.now()) {
		s.Notify.Schedule(ctx, p, notify.AppointmentTomorrow, a.ID, Need, at)
	}
}

// RemindCheck is the reminder's check, run at its time: the appointment,
// if it is still booked and starts tomorrow, is notified; moved to another
// day, it is looked at again the afternoon before that.
func RemindCheck(ctx context.Context, p *access.Patient, id string, now time.Time) (notify.Outcome, error) {
	list, err := p.Diary().Appointments(ctx)
	if err != nil {
		return notify.Outcome{}, err
	}
	for _, a := range list {
		if a.ID != id || a.Status != gp.StatusBooked {
			continue
		}
		at := ReminderAt(a.Slot.Start)
		if at.After(now) {
			return notify.Outcome{Again: at}, nil
		}
		if gp.DateOf(now.In(gp.UK).AddDate(0, 0, 1)) != gp.DateOf(a.Slot.Start.In(gp.UK)) {
			return notify.Outcome{}, nil // late: not tomorrow any more
		}
		return notify.Outcome{Fire: &notify.Event{Kind: notify.AppointmentTomorrow, Patient: p.ID(), Key: a.ID,
			Path: "/appointments/" + a.ID, Need: Need, Expires: a.Slot.Start.UnixMilli()}}, nil
	}
	return notify.Outcome{}, nil
}
