package consult

import (
	"testing"

	"github.com/nhs-companion/companion/server/gp"
)

// govUK is the England and Wales list from gov.uk/bank-holidays.
var govUK = map[int][]gp.Date{
	2025: {date(2025, 1, 1), date(2025, 4, 18), date(2025, 4, 21), date(2025, 5, 5), date(2025, 5, 26), date(2025, 8, 25), date(2025, 12, 25), date(2025, 12, 26)},
	2026: {date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4), date(2026, 5, 25), date(2026, 8, 31), date(2026, 12, 25), date(2026, 12, 28)},
	2027: {date(2027, 1, 1), date(2027, 3, 26), date(2027, 3, 29), date(2027, 5, 3), date(2027, 5, 31), date(2027, 8, 30), date(2027, 12, 27), date(2027, 12, 28)},
	2028: {date(2028, 1, 3), date(2028, 4, 14), date(2028, 4, 17), date(2028, 5, 1), date(2028, 5, 29), date(2028, 8, 28), date(2028, 12, 25), date(2028, 12, 26)},
	// One-off proclamations: the spring holiday moved to 2 June for the
	// Platinum Jubilee, an extra day for it and for the State Funeral.
	2022: {date(2022, 1, 3), date(2022, 4, 15), date(2022, 4, 18), date(2022, 5, 2), date(2022, 6, 2), date(2022, 6, 3), date(2022, 8, 29), date(2022, 9, 19), date(2022, 12, 26), date(2022, 12, 27)},
	// The Coronation.
	2023: {date(2023, 1, 2), date(2023, 4, 7), date(2023, 4, 10), date(2023, 5, 1), date(2023, 5, 8), date(2023, 5, 29), date(2023, 8, 28), date(2023, 12, 25), date(2023, 12, 26)},
}

// TestBankHolidays checks every day of each listed year: exactly gov.uk's
// holidays and no others, in England and in Wales.
func TestBankHolidays(t *testing.T) {
	for year, want := range govUK {
		holiday := map[gp.Date]bool{}
		for _, d := range want {
			holiday[d] = true
		}
		for d := date(year, 1, 1); d.Year == year; d = addDays(d, 1) {
			for _, country := range []string{"England", "Wales"} {
				name, got := BankHoliday(country, d)
				if got != holiday[d] {
					t.Errorf("BankHoliday(%s, %s) = %q, %v; want %v", country, d, name, got, holiday[d])
				}
				if got && name == "" {
					t.Errorf("BankHoliday(%s, %s) has no name", country, d)
				}
			}
		}
	}
}

func TestBankHolidayNames(t *testing.T) {
	tests := []struct {
		d    gp.Date
		want string
	}{
		{date(2026, 1, 1), "New Year’s Day"},
		{date(2028, 1, 3), "New Year’s Day (substitute day)"},
		{date(2026, 4, 3), "Good Friday"},
		{date(2026, 4, 6), "Easter Monday"},
		{date(2026, 5, 4), "Early May bank holiday"},
		{date(2026, 5, 25), "Spring bank holiday"},
		{date(2026, 8, 31), "Summer bank holiday"},
		{date(2026, 12, 25), "Christmas Day"},
		{date(2026, 12, 28), "Boxing Day (substitute day)"},
		{date(2027, 12, 27), "Christmas Day (substitute day)"},
		{date(2027, 12, 28), "Boxing Day (substitute day)"},
		{date(2022, 6, 2), "Spring bank holiday"},
		{date(2022, 6, 3), "Platinum Jubilee bank holiday"},
		{date(2022, 9, 19), "Bank Holiday for the State Funeral of Queen Elizabeth II"},
		{date(2023, 5, 8), "Bank holiday for the coronation of King Charles III"},
		{date(2022, 12, 27), "Christmas Day (substitute day)"},
		{date(2022, 12, 26), "Boxing Day"},
	}
	for _, tc := range tests {
		name, ok := BankHoliday("England", tc.d)
		if !ok || name != tc.want {
			t.Errorf("BankHoliday(England, %s) = %q, %v; want %q", tc.d, name, ok, tc.want)
		}
	}
}

func TestBankHolidayOtherCountries(t *testing.T) {
	for _, country := range []string{"Scotland", "Northern Ireland", "", "France"} {
		if name, ok := BankHoliday(country, date(2026, 12, 25)); ok {
			t.Errorf("BankHoliday(%q, Christmas Day) = %q, true; want false", country, name)
		}
	}
}

func TestEaster(t *testing.T) {
	// Easter Sundays from the Church of England's tables.
	for _, want := range []gp.Date{
		date(2019, 4, 21), date(2024, 3, 31), date(2025, 4, 20), date(2026, 4, 5),
		date(2027, 3, 28), date(2028, 4, 16), date(2038, 4, 25), date(2285, 3, 22),
	} {
		if got := easterSunday(want.Year); got != want {
			t.Errorf("easterSunday(%d) = %s, want %s", want.Year, got, want)
		}
	}
}
