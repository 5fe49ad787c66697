package ui

import (
	"github.com/nhs-companion/companion/app/ukzone"
	"sort"
	"strconv"
	"time"

	"github.com/nhs-companion/companion/i18n"
)

func itoa(i int) string { return strconv.Itoa(i) }

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sortedBoolKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// formatDate shows an ISO calendar date (YYYY-MM-DD) as people in the UK
// read it, with the month named in the page's language ("3 May 1942").
func formatDate(l *i18n.Localizer, iso string) string {
	t, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return iso
	}
	return l.T("date.date", "Day", t.Day(), "Month", l.T(monthKeys[t.Month()-1]), "Year", t.Year())
}

// key marks a catalogue key written as data rather than at a T call, so the
// catalogue test finds it.
func key(k string) string { return k }

// labelled is the message for a value from a table of keys, or fallback for
// values the table does not know (a newer server than this app).
func labelled(s *Store, keys map[string]string, value, fallback string, args ...any) string {
	return label(s.L(), keys, value, fallback, args...)
}

func label(l *i18n.Localizer, keys map[string]string, value, fallback string, args ...any) string {
	k, ok := keys[value]
	if !ok {
		k = fallback
	}
	return l.T(k, args...)
}

// SlotTypeName is a kind of appointment in the page's language.
func SlotTypeName(l *i18n.Localizer, typ string) string {
	return label(l, slotTypeKeys, typ, key("slot.type.other"))
}

// ModeName says how an appointment happens, in the page's language.
func ModeName(l *i18n.Localizer, mode string) string {
	return label(l, modeKeys, mode, key("slot.mode.in_person"))
}

// ukTime is where appointment times are shown: the UK's own time.
func ukTime() *time.Location { return ukzone.Location }
