package consult

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nhs-companion/companion/server/gp"
)

// Window is a weekly opening window in the practice's local time
// (Europe/London).
type Window struct {
	Day time.Weekday `json:"day"`
	// Open and Close are minutes after midnight, wall-clock time: Close may
	// be 1440 (midnight at the end of the day); Open < Close.
	Open  int `json:"open"`
	Close int `json:"close"`
}

// CoreHours is Monday to Friday, 08:00 to 18:30: the hours the GP contract
// requires online consultation to be open in England.
var CoreHours = []Window{
	{time.Monday, 8 * 60, 18*60 + 30},
	{time.Tuesday, 8 * 60, 18*60 + 30},
	{time.Wednesday, 8 * 60, 18*60 + 30},
	{time.Thursday, 8 * 60, 18*60 + 30},
	{time.Friday, 8 * 60, 18*60 + 30},
}

// Settings is how a practice runs its online front door.
type Settings struct {
	Windows          []Window `json:"windows"`
	BankHolidaysOpen bool     `json:"bank_holidays_open,omitempty"`
	// Caps is requests per practice per day per kind; <= 0 means no cap.
	Caps map[gp.ContactKind]int `json:"caps"`
	// PatientDaily is requests per patient per day across kinds; <= 0
	// means no limit.
	PatientDaily int `json:"patient_daily"`
}

// DefaultSettings apply to a practice that has saved none.
var DefaultSettings = Settings{
	Windows: CoreHours,
	Caps: map[gp.ContactKind]int{
		gp.ContactMedical:    40,
		gp.ContactMedication: 30,
		gp.ContactAdmin:      60,
	},
	PatientDaily: 2,
}

// clone copies s so that changing the copy's windows or caps leaves s alone.
func (s Settings) clone() Settings {
	s.Windows = slices.Clone(s.Windows)
	s.Caps = maps.Clone(s.Caps)
	return s
}

// validate reports settings no practice could mean.
func (s Settings) validate() error {
	if err := validateWindows(s.Windows); err != nil {
		return err
	}
	for k := range s.Caps {
		if !slices.Contains(gp.ContactKinds, k) {
			return fmt.Errorf("%w: cap for unknown kind of request %q", ErrInvalidSettings, k)
		}
	}
	return nil
}

// Status is whether a practice takes online requests at a moment, and if
// not, why and until when.
type Status struct {
	Open bool
	// Why is "" when open; "outside_hours", "bank_holiday" or "suspended".
	Why string
	// BankHoliday is the holiday's English name when Why is "bank_holiday".
	BankHoliday string
	// Suspension is set when Why is "suspended".
	Suspension *Suspension
	// Reopens is the next moment it opens (searching up to 21 days ahead;
	// zero if never, or when open).
	Reopens time.Time
}

// The reasons a practice is closed.
const (
	WhyOutsideHours = "outside_hours"
	WhyBankHoliday  = "bank_holiday"
	WhySuspended    = "suspended"
)

// searchDays is how far ahead StatusAt and ReplyBy look for an open day.
const searchDays = 21

// StatusAt is whether the practice takes online requests at now, given the
// practice's country (for bank holidays) and its suspension, if any.
func (s Settings) StatusAt(now time.Time, country string, susp *Suspension) Status {
	if susp != nil && now.Before(susp.Until) {
		return Status{Why: WhySuspended, Suspension: susp, Reopens: s.nextOpen(susp.Until, country)}
	}
	next := s.nextOpen(now, country)
	if next.Equal(now) {
		return Status{Open: true}
	}
	st := Status{Why: WhyOutsideHours, Reopens: next}
	if name, ok := BankHoliday(country, Day(now)); ok && !s.BankHolidaysOpen {
		st.Why, st.BankHoliday = WhyBankHoliday, name
	}
	return st
}

// ReplyBy is the practice's promise: the close of the next working day
// after the day the request was sent. A working day has an opening window
// and is not a bank holiday (unless the practice opens on bank holidays): a
// request sent on Friday afternoon is due by Monday's close, or Tuesday's if
// Monday is a bank holiday. It is zero when no working day comes within 21
// days.
func (s Settings) ReplyBy(sent time.Time, country string) time.Time {
	day := Day(sent)
	for i := 1; i <= searchDays; i++ {
		d := addDays(day, i)
		ws := s.windowsOn(d, country)
		if len(ws) > 0 {
			return at(d, ws[len(ws)-1].Close)
		}
	}
	return time.Time{}
}

// nextOpen is the first moment at or after t when the practice is open, or
// zero if that is not within searchDays.
func (s Settings) nextOpen(t time.Time, country string) time.Time {
	day := Day(t)
	for i := 0; i <= searchDays; i++ {
		d := addDays(day, i)
		for _, w := range s.windowsOn(d, country) {
			open, close := at(d, w.Open), at(d, w.Close)
			if !t.Before(close) {
				continue
			}
			if t.Before(open) {
				return open
			}
			return t
		}
	}
	return time.Time{}
}

// windowsOn is the practice's windows on date d, earliest first: none on a
// bank holiday unless it opens on them.
func (s Settings) windowsOn(d gp.Date, country string) []Window {
	if !s.BankHolidaysOpen {
		if _, ok := BankHoliday(country, d); ok {
			return nil
		}
	}
	wd := midnight(d).Weekday()
	var out []Window
	for _, w := range s.Windows {
		if w.Day == wd {
			out = append(out, w)
		}
	}
	slices.SortFunc(out, func(a, b Window) int { return a.Open - b.Open })
	return out
}

// at is the moment minutes after (wall-clock) midnight on d in London. 1440
// is the next midnight.
func at(d gp.Date, minutes int) time.Time {
	return time.Date(d.Year, d.Month, d.Day, minutes/60, minutes%60, 0, 0, london)
}

// validateWindows reports windows that make no sense: none at all, a time
// outside the day, a window that closes before it opens, or two that
// overlap on one day.
func validateWindows(ws []Window) error {
	if len(ws) == 0 {
		return fmt.Errorf("%w: no opening hours", ErrInvalidSettings)
	}
	for _, w := range ws {
		if w.Day < time.Sunday || w.Day > time.Saturday {
			return fmt.Errorf("%w: no such day %d", ErrInvalidSettings, int(w.Day))
		}
		if w.Open < 0 || w.Close > 24*60 || w.Open >= w.Close {
			return fmt.Errorf("%w: %s must open before it closes, within the day", ErrInvalidSettings, formatGroup([]time.Weekday{w.Day}, w.Open, w.Close))
		}
	}
	sorted := canonical(ws)
	for i := 1; i < len(sorted); i++ {
		a, b := sorted[i-1], sorted[i]
		if a.Day == b.Day && b.Open < a.Close {
			return fmt.Errorf("%w: %s overlaps %s", ErrInvalidSettings,
				formatGroup([]time.Weekday{a.Day}, a.Open, a.Close), formatGroup([]time.Weekday{b.Day}, b.Open, b.Close))
		}
	}
	return nil
}

// canonical is ws sorted Monday first, then by opening time.
func canonical(ws []Window) []Window {
	out := slices.Clone(ws)
	slices.SortFunc(out, func(a, b Window) int {
		if d := weekIndex(a.Day) - weekIndex(b.Day); d != 0 {
			return d
		}
		if d := a.Open - b.Open; d != 0 {
			return d
		}
		return a.Close - b.Close
	})
	return out
}

// weekIndex counts days from Monday (0) to Sunday (6), the order people
// read a week's hours in.
func weekIndex(d time.Weekday) int { return (int(d) + 6) % 7 }

var dayNames = [7]string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}

// ParseWindows reads opening hours written as people write them: days,
// then times, with "; " between groups, e.g. "Mon-Fri 08:00-18:30; Sat
// 09:00-12:00". Days are Mon…Sun (or full names), as ranges ("Mon-Fri", in
// week order) or lists ("Mon,Wed"); times are HH:MM, 24:00 for midnight at
// the end of the day. The windows come back Monday first.
func ParseWindows(s string) ([]Window, error) {
	s = strings.ReplaceAll(s, "–", "-") // an en dash pasted from a document
	var out []Window
	for group := range strings.SplitSeq(s, ";") {
		group = strings.TrimSpace(group)
		if group == "" {
			continue
		}
		fields := strings.Fields(group)
		if len(fields) != 2 {
			return nil, fmt.Errorf("%w: %q: want days and times, like \"Mon-Fri 08:00-18:30\"", ErrInvalidSettings, group)
		}
		days, err := parseDays(fields[0])
		if err != nil {
			return nil, err
		}
		open, close, err := parseTimes(fields[1])
		if err != nil {
			return nil, err
		}
		for _, d := range days {
			out = append(out, Window{Day: d, Open: open, Close: close})
		}
	}
	if err := validateWindows(out); err != nil {
		return nil, err
	}
	return canonical(out), nil
}

func parseDays(s string) ([]time.Weekday, error) {
	var out []time.Weekday
	for part := range strings.SplitSeq(s, ",") {
		from, to, isRange := strings.Cut(part, "-")
		a, err := parseDay(from)
		if err != nil {
			return nil, err
		}
		b := a
		if isRange {
			if b, err = parseDay(to); err != nil {
				return nil, err
			}
			if b < a {
				return nil, fmt.Errorf("%w: day range %q must run Monday to Sunday", ErrInvalidSettings, part)
			}
		}
		for i := a; i <= b; i++ {
			out = append(out, time.Weekday((i+1)%7))
		}
	}
	return out, nil
}

// parseDay returns the week index (Monday 0) of a day's name.
func parseDay(s string) (int, error) {
	for i, name := range dayNames {
		full := time.Weekday((i + 1) % 7).String()
		if strings.EqualFold(s, name) || strings.EqualFold(s, full) {
			return i, nil
		}
	}
	return 0, fmt.Errorf("%w: no day called %q", ErrInvalidSettings, s)
}

func parseTimes(s string) (open, close int, err error) {
	from, to, ok := strings.Cut(s, "-")
	if !ok {
		return 0, 0, fmt.Errorf("%w: %q: want opening and closing times, like 08:00-18:30", ErrInvalidSettings, s)
	}
	if open, err = parseClock(from); err != nil {
		return 0, 0, err
	}
	if close, err = parseClock(to); err != nil {
		return 0, 0, err
	}
	return open, close, nil
}

// parseClock reads HH:MM as minutes after midnight; 24:00 is 1440.
func parseClock(s string) (int, error) {
	hh, mm, ok := strings.Cut(s, ":")
	if ok && len(hh) == 2 && len(mm) == 2 {
		h, herr := strconv.Atoi(hh)
		m, merr := strconv.Atoi(mm)
		if herr == nil && merr == nil && h >= 0 && m >= 0 && m < 60 && (h < 24 || h == 24 && m == 0) {
			return h*60 + m, nil
		}
	}
	return 0, fmt.Errorf("%w: %q is not a time of day (HH:MM)", ErrInvalidSettings, s)
}

// FormatWindows writes windows the way ParseWindows reads them, grouping
// days with the same hours: "Mon-Fri 08:00-18:30; Sat 09:00-12:00". It is
// "" for no windows.
func FormatWindows(ws []Window) string {
	type span struct{ open, close int }
	var order []span
	days := map[span][]time.Weekday{}
	for _, w := range canonical(ws) {
		sp := span{w.Open, w.Close}
		if _, seen := days[sp]; !seen {
			order = append(order, sp)
		}
		days[sp] = append(days[sp], w.Day)
	}
	groups := make([]string, len(order))
	for i, sp := range order {
		groups[i] = formatGroup(days[sp], sp.open, sp.close)
	}
	return strings.Join(groups, "; ")
}

// formatGroup writes days (in week order) and one pair of times.
func formatGroup(days []time.Weekday, open, close int) string {
	var parts []string
	for i := 0; i < len(days); {
		j := i
		for j+1 < len(days) && weekIndex(days[j+1]) == weekIndex(days[j])+1 {
			j++
		}
		part := dayNames[weekIndex(days[i])]
		if j > i {
			part += "-" + dayNames[weekIndex(days[j])]
		}
		parts = append(parts, part)
		i = j + 1
	}
	return fmt.Sprintf("%s %s-%s", strings.Join(parts, ","), clock(open), clock(close))
}

func clock(minutes int) string {
	return fmt.Sprintf("%02d:%02d", minutes/60, minutes%60)
}
