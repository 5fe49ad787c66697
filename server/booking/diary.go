package booking

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nhs-companion/companion/app/api"
	"github.com/nhs-companion/companion/server/access"
	"github.com/nhs-companion/companion/server/fault"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/reqstate"
)

// SlotView is a slot's wire form.
func SlotView(sl gp.Slot) api.Slot {
	return api.Slot{
		ID: sl.ID, Start: sl.Start.UnixMilli(), End: sl.End.UnixMilli(), Type: string(sl.Type), Mode: string(sl.Mode),
		Clinician: sl.Clinician.Name, ClinicianRole: sl.Clinician.Role, Location: sl.Location,
	}
}

// AppointmentView is an appointment's wire form at now.
func AppointmentView(a gp.Appointment, rules gp.BookingRules, now time.Time) api.Appointment {
	v := api.Appointment{ID: a.ID, Slot: SlotView(a.Slot), Reason: a.Reason, Status: string(a.Status), BookedAt: a.BookedAt.UnixMilli()}
	if !a.CancelledAt.IsZero() {
		v.CancelledAt = a.CancelledAt.UnixMilli()
	}
	v.Past = !a.Slot.Start.After(now)
	v.Cancellable = rules.Cancellable(a, now)
	return v
}

// Diary sorts the patient's appointments into upcoming, past and cancelled,
// and audits the viewing.
func (s *Service) Diary(ctx context.Context, p *access.Patient) (*api.Diary, error) {
	d := p.Diary()
	list, err := d.Appointments(ctx)
	if err != nil {
		return nil, err
	}
	sum := p.Summary()
	out := &api.Diary{Upcoming: []api.Appointment{}, Past: []api.Appointment{}, Cancelled: []api.Appointment{},
		Limit: d.Rules().MaxFuture, Practice: sum.Practice.Name, Phone: sum.Practice.Phone}
	now := s.now()
	for _, a := range list {
		v := AppointmentView(a, d.Rules(), now)
		switch {
		case a.Status == gp.StatusCancelled:
			out.Cancelled = append(out.Cancelled, v)
		case v.Past:
			out.Past = append(out.Past, v)
		default:
			out.Upcoming = append(out.Upcoming, v)
		}
	}
	// The most recent past appointment first; upcoming soonest first.
	sort.SliceStable(out.Past, func(i, j int) bool { return out.Past[i].Slot.Start > out.Past[j].Slot.Start })
	sort.SliceStable(out.Cancelled, func(i, j int) bool { return out.Cancelled[i].Slot.Start > out.Cancelled[j].Slot.Start })
	if err := s.Audit.Access(ctx, p.Event("view_appointments", "success", "", "")); err != nil {
		return nil, err
	}
	return out, nil
}

// Appointment returns one of the patient's appointments.
func (s *Service) Appointment(ctx context.Context, p *access.Patient, id string) (gp.Appointment, error) {
	list, err := p.Diary().Appointments(ctx)
	if err != nil {
		return gp.Appointment{}, err
	}
	for _, a := range list {
		if a.ID == id {
			return a, nil
		}
	}
	return gp.Appointment{}, ErrNoAppointment
}

// View is one appointment's page: the appointment, where and whom to call;
// confirm asks before cancelling (dropped when it can no longer be); after
// is what was just done ("booked", "changed"), which the page confirms.
func (s *Service) View(ctx context.Context, p *access.Patient, id string, confirm bool, after string) (*api.AppointmentView, error) {
	a, err := s.Appointment(ctx, p, id)
	if err != nil {
		return nil, err
	}
	sum := p.Summary()
	v := &api.AppointmentView{
		Appointment: AppointmentView(a, p.Diary().Rules(), s.now()), Patient: sum.Name(),
		Practice: sum.Practice.Name, Address: Address(sum.Practice), Phone: sum.Practice.Phone, Confirm: confirm,
	}
	v.Booked = !confirm && after == "booked" && a.Status == gp.StatusBooked
	v.Changed = !confirm && after == "changed" && a.Status == gp.StatusBooked
	if confirm && !v.Appointment.Cancellable {
		v.Confirm = false
	}
	return v, nil
}

// Changing starts changing the time of one of the patient's appointments:
// the appointment, if it can still be moved online (else too_late, as for
// cancelling, or already_cancelled).
func (s *Service) Changing(ctx context.Context, p *access.Patient, id string) (*api.Appointment, error) {
	a, err := s.Appointment(ctx, p, id)
	if err != nil {
		return nil, err
	}
	if a.Status != gp.StatusBooked {
		return nil, ErrAlreadyCancelled
	}
	v := AppointmentView(a, p.Diary().Rules(), s.now())
	if !v.Cancellable {
		return nil, ErrTooLate
	}
	return &v, nil
}

// Address is a practice's address on one line.
func Address(pr gp.Practice) string {
	return strings.Join(append(append([]string{}, pr.Address...), pr.Postcode), ", ")
}

// Problem is an answer the person must put right, on the booking pages.
type Problem struct {
	Field string
	Err   *fault.Error
}

// Step fills in the step booking b has reached, with the choices it offers:
// a type, then a day, then a time (slotID, when chosen), then the check
// page. typeAsked says the person submitted the type question. A slot that
// has just gone sends them back to choosing a time, saying so.
func (s *Service) Step(ctx context.Context, p *access.Patient, b *api.Booking, slotID, ticket string, typeAsked bool) ([]Problem, error) {
	d := p.Diary()
	zone := d.Zone()
	switch {
	case !ValidType(b.Type):
		b.Step, b.Type, b.Day = api.BookType, "", ""
		if typeAsked {
			return []Problem{{"type", ErrTypeRequired}}, nil
		}
		return nil, nil
	case slotID != "":
		sl, free, err := d.Slot(ctx, slotID)
		if errors.Is(err, gp.ErrNotFound) || (err == nil && string(sl.Type) != b.Type) {
			return nil, fault.ErrNotFound
		}
		if err != nil {
			return nil, err
		}
		b.Day = sl.Start.In(zone).Format(time.DateOnly)
		var hold *api.SlotHold
		if free && !sl.Start.Before(d.Rules().Earliest(s.now())) {
			hold, free = s.holdChosen(ctx, p, slotID)
		}
		if !free || sl.Start.Before(d.Rules().Earliest(s.now())) {
			more, err := s.Step(ctx, p, b, "", ticket, typeAsked)
			if next := laterDay(b, err); next != "" {
				b.Day, b.Slots = next, nil
				more, err = s.Step(ctx, p, b, "", ticket, typeAsked)
			}
			return append([]Problem{{"slot", ErrSlotTaken}}, more...), err
		}
		v := SlotView(sl)
		b.Step, b.Slot, b.Hold = api.BookCheck, &v, hold
		b.ReasonRequired, b.ReasonMax = d.Rules().ReasonRequired, d.Rules().MaxReason()
		if b.IdempotencyKey == "" {
			b.IdempotencyKey = reqstate.NewKey()
		}
		return nil, nil
	}
	release, err := s.Admit(ctx, d.Practice(), ticket)
	if err != nil {
		return nil, err
	}
	slots, err := s.FreeSlots(ctx, d, b.Type)
	release()
	if err == nil {
		slots, err = s.withoutOthersHolds(ctx, p, slots)
	}
	if err != nil {
		return nil, err
	}
	if _, err := time.Parse(time.DateOnly, b.Day); err != nil {
		var problems []Problem
		if b.Day != "" {
			problems = append(problems, Problem{"day", ErrDayRequired})
		}
		b.Step, b.Day, b.Days = api.BookDay, "", Days(slots, zone)
		return problems, nil
	}
	b.Step, b.Days = api.BookTime, Days(slots, zone)
	for _, sl := range slots {
		if sl.Start.In(zone).Format(time.DateOnly) == b.Day {
			b.Slots = append(b.Slots, SlotView(sl))
		}
	}
	return nil, nil
}

// holdChosen holds the slot the person has just chosen, while they answer
// the check page: false when someone else holds it or it has been booked.
// Without holds (or Redis), nothing is held and the GP system decides.
func (s *Service) holdChosen(ctx context.Context, p *access.Patient, slotID string) (*api.SlotHold, bool) {
	if s.Holds == nil {
		return nil, true
	}
	h, err := s.Holds.Place(ctx, p.Diary().Practice(), holder(p), slotID)
	if errors.Is(err, ErrSlotTaken) {
		return nil, false
	}
	if err != nil {
		s.Log.WarnContext(ctx, "hold slot", "err", err)
		return nil, true
	}
	return &api.SlotHold{ID: h.ID, SlotID: h.SlotID, Expires: h.Expires.UnixMilli()}, true
}

// laterDay is, for a time step whose chosen time has just gone and whose
// day has no other free time, the next day that has one: the person is
// offered the next free times straight away ("" when there is none).
func laterDay(b *api.Booking, err error) string {
	if err != nil || b.Step != api.BookTime || len(b.Slots) > 0 {
		return ""
	}
	for _, day := range b.Days {
		if day.Date > b.Day {
			return day.Date
		}
	}
	return ""
}

// Days counts free slots per day in zone, in date order.
func Days(slots []gp.Slot, zone *time.Location) []api.Day {
	var out []api.Day
	for _, sl := range slots {
		d := sl.Start.In(zone).Format(time.DateOnly)
		if n := len(out); n > 0 && out[n-1].Date == d {
			out[n-1].Free++
			continue
		}
		out = append(out, api.Day{Date: d, Free: 1})
	}
	return out
}

// Event is what goes in a calendar file, in the page's language.
type Event struct {
	Title, Description string
	// Sequence is the event's revision (0 when first booked).
	Sequence int
}

// Calendar is a booked appointment as an iCalendar file (RFC 5545), to add
// to a phone's calendar. It holds no name, no reason and no NHS number:
// calendars are often shared and synced. Times are UTC throughout; there is
// no METHOD (a plain file to import, not an iTIP message, so no ORGANIZER is
// owed); a reminder goes off the day before; lines are folded at 75 octets.
// SEQUENCE is ev.Sequence, raised when the same appointment (one UID) is
// moved.
func Calendar(a gp.Appointment, practice gp.Practice, ev Event, now time.Time) (string, error) {
	if a.Status != gp.StatusBooked {
		return "", ErrNoAppointment
	}
	var b strings.Builder
	line := func(k, v string) { b.WriteString(icsFold(k + ":" + v)) }
	text := func(k, v string) { line(k, icsEscape(v)) }
	stamp := func(t time.Time) string { return t.UTC().Format("20060102T150405Z") }
	line("BEGIN", "VCALENDAR")
	line("VERSION", "2.0")
	line("PRODID", "-//NHS Companion//EN")
	line("CALSCALE", "GREGORIAN")
	line("BEGIN", "VEVENT")
	text("UID", a.ID+"@companion")
	line("SEQUENCE", strconv.Itoa(ev.Sequence))
	line("DTSTAMP", stamp(now))
	line("DTSTART", stamp(a.Slot.Start))
	line("DTEND", stamp(a.Slot.End))
	text("SUMMARY", ev.Title)
	text("LOCATION", Address(practice))
	text("DESCRIPTION", ev.Description)
	line("BEGIN", "VALARM")
	line("ACTION", "DISPLAY")
	text("DESCRIPTION", ev.Title)
	line("TRIGGER", "-P1D")
	line("END", "VALARM")
	line("END", "VEVENT")
	line("END", "VCALENDAR")
	return b.String(), nil
}

// icsFold ends a content line with CRLF, folding it (RFC 5545 3.1) so that
// no line is longer than 75 octets: a CRLF and a space before each further
// part, never inside a UTF-8 character.
func icsFold(s string) string {
	var b strings.Builder
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut] + "\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(s + "\r\n")
	return b.String()
}

// icsEscape escapes text for an iCalendar property value (RFC 5545 3.3.11).
func icsEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`).Replace(s)
}
