package ui

import (
	"testing"

	"github.com/nhs-companion/companion/i18n"
)

func TestBankHolidayNamesAreTranslated(t *testing.T) {
	cy := i18n.MustDefault().Localizer("cy")
	for _, c := range []struct{ name, want string }{
		{"Boxing Day (substitute day)", "Gŵyl San Steffan (diwrnod yn ei le)"},
		{"Good Friday", "Dydd Gwener y Groglith"},
		{"Bank holiday for the coronation of King Charles III", "Bank holiday for the coronation of King Charles III"},
	} {
		if got := bankHolidayName(cy, c.name); got != c.want {
			t.Errorf("%q in Welsh: %q, want %q", c.name, got, c.want)
		}
	}
}
