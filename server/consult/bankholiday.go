package consult

import (
	"strings"
	"sync"
	"time"

	"github.com/nhs-companion/companion/server/gp"
)

// BankHoliday reports whether d is a bank holiday in country ("England" or
// "Wales", which share the England and Wales list) and the holiday's English
// name, as gov.uk gives it. It computes the statutory pattern, with
// substitute days for holidays at a weekend, plus the one-off
// proclamations since 1995. Other countries (Scotland and Northern Ireland
// have their own lists, and Companion serves neither) are never on holiday.
func BankHoliday(country string, d gp.Date) (string, bool) {
	c := strings.TrimSpace(country)
	if !strings.EqualFold(c, "England") && !strings.EqualFold(c, "Wales") {
		return "", false
	}
	name, ok := holidays(d.Year)[d]
	return name, ok
}

// years caches each year's list: StatusAt asks about three weeks of days.
var years sync.Map // int → map[gp.Date]string

func holidays(year int) map[gp.Date]string {
	if year < 1970 || year > 2200 { // keep the cache small whatever dates callers ask about
		return englandAndWales(year)
	}
	if m, ok := years.Load(year); ok {
		return m.(map[gp.Date]string)
	}
	m, _ := years.LoadOrStore(year, englandAndWales(year))
	return m.(map[gp.Date]string)
}

// moved holidays: the usual date gives way to another by proclamation.
var moved = map[gp.Date]gp.Date{
	date(1995, time.May, 1):  date(1995, time.May, 8),  // 50th anniversary of VE day
	date(2002, time.May, 27): date(2002, time.June, 4), // Golden Jubilee
	date(2012, time.May, 28): date(2012, time.June, 4), // Diamond Jubilee
	date(2020, time.May, 4):  date(2020, time.May, 8),  // 75th anniversary of VE day
	date(2022, time.May, 30): date(2022, time.June, 2), // Platinum Jubilee
}

// oneOffs are extra bank holidays proclaimed for one year.
var oneOffs = map[gp.Date]string{
	date(1999, time.December, 31):  "Millennium Celebrations",
	date(2002, time.June, 3):       "Golden Jubilee bank holiday",
	date(2011, time.April, 29):     "Royal wedding",
	date(2012, time.June, 5):       "Queen’s Diamond Jubilee",
	date(2022, time.June, 3):       "Platinum Jubilee bank holiday",
	date(2022, time.September, 19): "Bank Holiday for the State Funeral of Queen Elizabeth II",
	date(2023, time.May, 8):        "Bank holiday for the coronation of King Charles III",
}

// englandAndWales lists the year's bank holidays in England and Wales.
func englandAndWales(year int) map[gp.Date]string {
	out := map[gp.Date]string{}
	add := func(d gp.Date, name string) {
		if to, ok := moved[d]; ok {
			d = to
		}
		out[d] = name
	}

	newYear := gp.Date{Year: year, Month: time.January, Day: 1}
	switch weekday(newYear) {
	case time.Saturday:
		add(addDays(newYear, 2), "New Year’s Day (substitute day)")
	case time.Sunday:
		add(addDays(newYear, 1), "New Year’s Day (substitute day)")
	default:
		add(newYear, "New Year’s Day")
	}

	easter := easterSunday(year)
	add(addDays(easter, -2), "Good Friday")
	add(addDays(easter, 1), "Easter Monday")

	add(firstMonday(year, time.May), "Early May bank holiday")
	add(lastMonday(year, time.May), "Spring bank holiday")
	add(lastMonday(year, time.August), "Summer bank holiday")

	christmas := gp.Date{Year: year, Month: time.December, Day: 25}
	boxing := gp.Date{Year: year, Month: time.December, Day: 26}
	switch weekday(christmas) {
	case time.Friday: // Boxing Day on Saturday
		add(christmas, "Christmas Day")
		add(addDays(boxing, 2), "Boxing Day (substitute day)")
	case time.Saturday:
		add(addDays(christmas, 2), "Christmas Day (substitute day)")
		add(addDays(boxing, 2), "Boxing Day (substitute day)")
	case time.Sunday: // Boxing Day on Monday
		add(boxing, "Boxing Day")
		add(addDays(christmas, 2), "Christmas Day (substitute day)")
	default:
		add(christmas, "Christmas Day")
		add(boxing, "Boxing Day")
	}

	for d, name := range oneOffs {
		if d.Year == year {
			out[d] = name
		}
	}
	return out
}

func weekday(d gp.Date) time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
}

func firstMonday(year int, m time.Month) gp.Date {
	d := gp.Date{Year: year, Month: m, Day: 1}
	return addDays(d, (int(time.Monday)-int(weekday(d))+7)%7)
}

func lastMonday(year int, m time.Month) gp.Date {
	last := addDays(gp.Date{Year: year, Month: m + 1, Day: 1}, -1) // time.Date carries month 13 into January
	return addDays(last, -((int(weekday(last)) - int(time.Monday) + 7) % 7))
}

// easterSunday is Easter Day in the Gregorian calendar (the anonymous
// Gregorian algorithm, as in Meeus).
func easterSunday(year int) gp.Date {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return gp.Date{Year: year, Month: time.Month(month), Day: day}
}

func date(y int, m time.Month, d int) gp.Date { return gp.Date{Year: y, Month: m, Day: d} }
