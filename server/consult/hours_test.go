package consult

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/nhs-companion/companion/server/gp"
)

// lt is a London wall-clock time.
func lt(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, london)
}

func mustParse(tb testing.TB, s string) []Window {
	tb.Helper()
	ws, err := ParseWindows(s)
	if err != nil {
		tb.Fatalf("ParseWindows(%q): %v", s, err)
	}
	return ws
}

func TestStatusAt(t *testing.T) {
	bhOpen := DefaultSettings.clone()
	bhOpen.BankHolidaysOpen = true
	saturdays := DefaultSettings.clone()
	saturdays.Windows = mustParse(t, "Mon-Fri 08:00-18:30; Sat 09:00-12:00")
	always := DefaultSettings.clone()
	always.Windows = mustParse(t, "Mon-Sun 00:00-24:00")
	lunch := DefaultSettings.clone()
	lunch.Windows = mustParse(t, "Mon-Fri 08:00-12:00; Mon-Fri 13:00-18:30")

	closed := func(reopens time.Time) Status { return Status{Why: WhyOutsideHours, Reopens: reopens} }
	holiday := func(name string, reopens time.Time) Status {
		return Status{Why: WhyBankHoliday, BankHoliday: name, Reopens: reopens}
	}
	open := Status{Open: true}
	susp := func(until time.Time) *Suspension {
		return &Suspension{Until: until, Reason: "IT outage", By: "staff-1"}
	}
	suspended := func(s *Suspension, reopens time.Time) Status {
		return Status{Why: WhySuspended, Suspension: s, Reopens: reopens}
	}

	tests := []struct {
		name     string
		settings *Settings // nil: DefaultSettings
		country  string
		now      time.Time
		susp     *Suspension
		want     Status
	}{
		// Clocks go forward on Sunday 29 March 2026.
		{name: "Friday before spring change, 18:30", now: lt(2026, 3, 27, 18, 30), want: closed(time.Date(2026, 3, 30, 7, 0, 0, 0, time.UTC))},
		{name: "Saturday before spring change", now: lt(2026, 3, 28, 12, 0), want: closed(lt(2026, 3, 30, 8, 0))},
		{name: "Sunday in the skipped hour", now: time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC), want: closed(lt(2026, 3, 30, 8, 0))},
		{name: "Monday after spring change, 07:59", now: lt(2026, 3, 30, 7, 59), want: closed(time.Date(2026, 3, 30, 7, 0, 0, 0, time.UTC))},
		{name: "Monday after spring change, 08:00", now: lt(2026, 3, 30, 8, 0), want: open},
		{name: "Monday after spring change, 08:00 is 07:00 UTC", now: time.Date(2026, 3, 30, 7, 0, 0, 0, time.UTC), want: open},
		{name: "Monday after spring change, 18:29", now: lt(2026, 3, 30, 18, 29), want: open},
		{name: "Monday after spring change, 18:29:59", now: lt(2026, 3, 30, 18, 29).Add(59 * time.Second), want: open},
		{name: "Monday after spring change, 18:30", now: lt(2026, 3, 30, 18, 30), want: closed(lt(2026, 3, 31, 8, 0))},
		// Clocks go back on Sunday 25 October 2026.
		{name: "Saturday before autumn change", now: lt(2026, 10, 24, 12, 0), want: closed(time.Date(2026, 10, 26, 8, 0, 0, 0, time.UTC))},
		{name: "Sunday in the repeated hour", now: time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), want: closed(lt(2026, 10, 26, 8, 0))},
		{name: "Monday after autumn change, 07:59", now: lt(2026, 10, 26, 7, 59), want: closed(lt(2026, 10, 26, 8, 0))},
		{name: "Monday after autumn change, 08:00", now: lt(2026, 10, 26, 8, 0), want: open},
		{name: "Monday after autumn change, 18:29", now: lt(2026, 10, 26, 18, 29), want: open},
		{name: "Monday after autumn change, 18:30", now: lt(2026, 10, 26, 18, 30), want: closed(lt(2026, 10, 27, 8, 0))},
		{name: "Friday before autumn change, evening", now: lt(2026, 10, 23, 20, 0), want: closed(lt(2026, 10, 26, 8, 0))},
		{name: "Sunday night", now: lt(2026, 11, 22, 23, 59), want: closed(lt(2026, 11, 23, 8, 0))},
		{name: "midnight on a weekday", now: lt(2026, 11, 24, 0, 0), want: closed(lt(2026, 11, 24, 8, 0))},

		// Easter 2026: Good Friday 3 April, Easter Monday 6 April.
		{name: "Thursday before Good Friday, 18:30", now: lt(2026, 4, 2, 18, 30), want: closed(lt(2026, 4, 7, 8, 0))},
		{name: "Good Friday, in core hours", now: lt(2026, 4, 3, 10, 0), want: holiday("Good Friday", lt(2026, 4, 7, 8, 0))},
		{name: "Good Friday, early morning", now: lt(2026, 4, 3, 6, 0), want: holiday("Good Friday", lt(2026, 4, 7, 8, 0))},
		{name: "Easter Saturday", now: lt(2026, 4, 4, 10, 0), want: closed(lt(2026, 4, 7, 8, 0))},
		{name: "Easter Monday", now: lt(2026, 4, 6, 12, 0), want: holiday("Easter Monday", lt(2026, 4, 7, 8, 0))},
		{name: "Tuesday after Easter", now: lt(2026, 4, 7, 8, 0), want: open},
		{name: "Good Friday in Wales", country: "Wales", now: lt(2026, 4, 3, 10, 0), want: holiday("Good Friday", lt(2026, 4, 7, 8, 0))},
		{name: "Good Friday where Companion knows no holidays", country: "Narnia", now: lt(2026, 4, 3, 10, 0), want: open},

		// Christmas 2026: Friday 25, Boxing Day substitute Monday 28.
		{name: "Christmas Eve, evening", now: lt(2026, 12, 24, 19, 0), want: closed(lt(2026, 12, 29, 8, 0))},
		{name: "Christmas Day", now: lt(2026, 12, 25, 10, 0), want: holiday("Christmas Day", lt(2026, 12, 29, 8, 0))},
		{name: "Boxing Day (a Saturday)", now: lt(2026, 12, 26, 10, 0), want: closed(lt(2026, 12, 29, 8, 0))},
		{name: "Boxing Day substitute", now: lt(2026, 12, 28, 10, 0), want: holiday("Boxing Day (substitute day)", lt(2026, 12, 29, 8, 0))},

		{name: "open on bank holidays: Good Friday", settings: &bhOpen, now: lt(2026, 4, 3, 10, 0), want: open},
		{name: "open on bank holidays: Christmas Day", settings: &bhOpen, now: lt(2026, 12, 25, 10, 0), want: open},
		{name: "open on bank holidays: Thursday evening", settings: &bhOpen, now: lt(2026, 4, 2, 18, 30), want: closed(lt(2026, 4, 3, 8, 0))},
		{name: "open on bank holidays: Boxing Day substitute, early", settings: &bhOpen, now: lt(2026, 12, 28, 7, 0), want: closed(lt(2026, 12, 28, 8, 0))},

		{name: "Saturday mornings: Friday evening", settings: &saturdays, now: lt(2026, 11, 27, 19, 0), want: closed(lt(2026, 11, 28, 9, 0))},
		{name: "Saturday mornings: Saturday 11:59", settings: &saturdays, now: lt(2026, 11, 28, 11, 59), want: open},
		{name: "Saturday mornings: Saturday noon", settings: &saturdays, now: lt(2026, 11, 28, 12, 0), want: closed(lt(2026, 11, 30, 8, 0))},
		{name: "always: Sunday midnight", settings: &always, now: lt(2026, 11, 29, 0, 0), want: open},
		{name: "always: Saturday 23:59", settings: &always, now: lt(2026, 11, 28, 23, 59), want: open},
		{name: "always: Good Friday", settings: &always, now: lt(2026, 4, 3, 13, 0), want: holiday("Good Friday", lt(2026, 4, 4, 0, 0))},
		{name: "lunch closure", settings: &lunch, now: lt(2026, 11, 24, 12, 30), want: closed(lt(2026, 11, 24, 13, 0))},
		{name: "lunch closure, 11:59", settings: &lunch, now: lt(2026, 11, 24, 11, 59), want: open},
		{name: "no windows", settings: &Settings{}, now: lt(2026, 11, 24, 10, 0), want: closed(time.Time{})},

		{name: "suspended until later today", now: lt(2026, 3, 30, 10, 0), susp: susp(lt(2026, 3, 30, 12, 0)), want: suspended(susp(lt(2026, 3, 30, 12, 0)), lt(2026, 3, 30, 12, 0))},
		{name: "suspended until after close", now: lt(2026, 3, 30, 10, 0), susp: susp(lt(2026, 3, 30, 20, 0)), want: suspended(susp(lt(2026, 3, 30, 20, 0)), lt(2026, 3, 31, 8, 0))},
		{name: "suspended until the weekend", now: lt(2026, 3, 27, 10, 0), susp: susp(lt(2026, 3, 28, 10, 0)), want: suspended(susp(lt(2026, 3, 28, 10, 0)), lt(2026, 3, 30, 8, 0))},
		{name: "suspended into Good Friday", now: lt(2026, 4, 2, 10, 0), susp: susp(lt(2026, 4, 3, 10, 0)), want: suspended(susp(lt(2026, 4, 3, 10, 0)), lt(2026, 4, 7, 8, 0))},
		{name: "suspended outside hours", now: lt(2026, 3, 30, 19, 0), susp: susp(lt(2026, 3, 31, 9, 0)), want: suspended(susp(lt(2026, 3, 31, 9, 0)), lt(2026, 3, 31, 9, 0))},
		{name: "suspension ended", now: lt(2026, 3, 30, 12, 0), susp: susp(lt(2026, 3, 30, 12, 0)), want: open},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := DefaultSettings
			if tc.settings != nil {
				s = *tc.settings
			}
			country := tc.country
			if country == "" {
				country = "England"
			}
			got := s.StatusAt(tc.now, country, tc.susp)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("StatusAt(%s) (-want +got):\n%s", tc.now.In(london).Format(time.RFC3339), diff)
			}
		})
	}
}

func TestReplyBy(t *testing.T) {
	bhOpen := DefaultSettings.clone()
	bhOpen.BankHolidaysOpen = true
	saturdays := DefaultSettings.clone()
	saturdays.Windows = mustParse(t, "Mon-Fri 08:00-18:30; Sat 09:00-12:00")
	tests := []struct {
		name     string
		settings *Settings // nil: DefaultSettings
		sent     time.Time
		want     time.Time
	}{
		{name: "Tuesday", sent: lt(2026, 11, 24, 10, 0), want: lt(2026, 11, 25, 18, 30)},
		{name: "Tuesday, just before close", sent: lt(2026, 11, 24, 18, 29), want: lt(2026, 11, 25, 18, 30)},
		{name: "Friday afternoon", sent: lt(2026, 11, 27, 15, 0), want: lt(2026, 11, 30, 18, 30)},
		{name: "Saturday", sent: lt(2026, 11, 28, 10, 0), want: lt(2026, 11, 30, 18, 30)},
		{name: "Thursday before Good Friday", sent: lt(2026, 4, 2, 11, 0), want: time.Date(2026, 4, 7, 17, 30, 0, 0, time.UTC)},
		{name: "Friday before the spring change", sent: lt(2026, 3, 27, 14, 0), want: time.Date(2026, 3, 30, 17, 30, 0, 0, time.UTC)},
		{name: "Friday before the autumn change", sent: lt(2026, 10, 23, 14, 0), want: time.Date(2026, 10, 26, 18, 30, 0, 0, time.UTC)},
		{name: "local day, not UTC day", sent: time.Date(2026, 3, 30, 23, 30, 0, 0, time.UTC), want: lt(2026, 4, 1, 18, 30)},
		{name: "Christmas Eve", sent: lt(2026, 12, 24, 12, 0), want: lt(2026, 12, 29, 18, 30)},
		{name: "Friday before a Monday bank holiday", sent: lt(2026, 8, 28, 12, 0), want: lt(2026, 9, 1, 18, 30)},
		{name: "open on bank holidays", settings: &bhOpen, sent: lt(2026, 4, 2, 11, 0), want: lt(2026, 4, 3, 18, 30)},
		{name: "Saturday mornings", settings: &saturdays, sent: lt(2026, 11, 27, 15, 0), want: lt(2026, 11, 28, 12, 0)},
		{name: "no windows", settings: &Settings{}, sent: lt(2026, 11, 24, 10, 0), want: time.Time{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := DefaultSettings
			if tc.settings != nil {
				s = *tc.settings
			}
			got := s.ReplyBy(tc.sent, "England")
			if !got.Equal(tc.want) {
				t.Errorf("ReplyBy(%s) = %s, want %s", tc.sent.In(london).Format(time.RFC3339),
					got.In(london).Format(time.RFC3339), tc.want.In(london).Format(time.RFC3339))
			}
		})
	}
}

func TestDay(t *testing.T) {
	tests := []struct {
		name string
		t    time.Time
		want gp.Date
	}{
		{"BST evening, already tomorrow in London", time.Date(2026, 3, 30, 23, 30, 0, 0, time.UTC), date(2026, 3, 31)},
		{"GMT evening", time.Date(2026, 11, 23, 23, 30, 0, 0, time.UTC), date(2026, 11, 23)},
		{"another zone", time.Date(2026, 11, 24, 1, 0, 0, 0, time.FixedZone("UTC+5", 5*3600)), date(2026, 11, 23)},
	}
	for _, tc := range tests {
		if got := Day(tc.t); got != tc.want {
			t.Errorf("%s: Day(%s) = %s, want %s", tc.name, tc.t, got, tc.want)
		}
	}
}

func TestParseWindows(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Window
	}{
		{"core hours", "Mon-Fri 08:00-18:30", CoreHours},
		{"en dashes and full names", "Monday–Friday 08:00–18:30", CoreHours},
		{"lists, any case", "sat,mon-FRI 09:00-12:00", []Window{
			{time.Monday, 540, 720}, {time.Tuesday, 540, 720}, {time.Wednesday, 540, 720},
			{time.Thursday, 540, 720}, {time.Friday, 540, 720}, {time.Saturday, 540, 720},
		}},
		{"two groups", "Sat 09:00-12:00; Mon 08:00-18:30", []Window{{time.Monday, 480, 1110}, {time.Saturday, 540, 720}}},
		{"round the clock", "Sun 00:00-24:00", []Window{{time.Sunday, 0, 1440}}},
		{"touching windows", "Mon 12:00-13:00; Mon 08:00-12:00", []Window{{time.Monday, 480, 720}, {time.Monday, 720, 780}}},
		{"trailing semicolon", "Mon 08:00-09:00;", []Window{{time.Monday, 480, 540}}},
	}
	for _, tc := range tests {
		got, err := ParseWindows(tc.in)
		if err != nil {
			t.Errorf("%s: ParseWindows(%q): %v", tc.name, tc.in, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: ParseWindows(%q) (-want +got):\n%s", tc.name, tc.in, diff)
		}
	}
}

func TestParseWindowsErrors(t *testing.T) {
	for _, in := range []string{
		"",
		"  ; ",
		"Mon-Fri",
		"08:00-18:30",
		"Mon-Fri 08:00 18:30",
		"Mon-Fri 08:00-18:30 extra",
		"Mon-Fri 8:00-18:30",
		"Mon-Fri 08:00-25:00",
		"Mon-Fri 08:60-09:00",
		"Mon-Fri 24:00-24:00",
		"Mon 24:30-24:00",
		"Mon-Fri 18:30-08:00",
		"Mon-Fri 08:00-08:00",
		"Mon-Fri 08:00-18:30-19:00",
		"Mon-Fri -8:00-18:30",
		"Fri-Mon 08:00-18:30",
		"Funday 08:00-18:30",
		"Mon-Tue-Wed 08:00-18:30",
		"Mon,,Tue 08:00-09:00",
		"Mon-Fri 08:00-18:30; Mon 18:00-19:00",
		"Mon,Mon 08:00-09:00",
		"Mon 08:00-09:00 Tue 10:00-11:00",
		"Mon 0800-0900",
		"Mon 08:00-09:00; nonsense",
	} {
		ws, err := ParseWindows(in)
		if !errors.Is(err, ErrInvalidSettings) {
			t.Errorf("ParseWindows(%q) = %v, %v; want ErrInvalidSettings", in, ws, err)
		}
	}
}

func TestFormatWindowsRoundTrip(t *testing.T) {
	for _, s := range []string{
		"Mon-Fri 08:00-18:30",
		"Mon-Fri 08:00-18:30; Sat 09:00-12:00",
		"Mon-Sun 00:00-24:00",
		"Sat-Sun 10:00-11:00",
		"Mon,Wed-Fri 08:00-12:00; Mon,Wed-Fri 13:00-18:30; Tue 08:00-20:00",
		"Mon,Wed,Fri 07:30-19:00; Tue,Thu 08:00-18:30",
		"Sun 23:59-24:00",
	} {
		ws := mustParse(t, s)
		if got := FormatWindows(ws); got != s {
			t.Errorf("FormatWindows(ParseWindows(%q)) = %q", s, got)
		}
		// Any order in, the same windows out.
		shuffled := slices.Clone(ws)
		slices.Reverse(shuffled)
		again := mustParse(t, FormatWindows(shuffled))
		if diff := cmp.Diff(ws, again); diff != "" {
			t.Errorf("ParseWindows(FormatWindows(%q reversed)) (-want +got):\n%s", s, diff)
		}
	}
	if got := FormatWindows(CoreHours); got != "Mon-Fri 08:00-18:30" {
		t.Errorf("FormatWindows(CoreHours) = %q", got)
	}
	if got := FormatWindows(nil); got != "" {
		t.Errorf("FormatWindows(nil) = %q, want empty", got)
	}
}
