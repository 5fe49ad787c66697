package gptest

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nhs-companion/companion/server/gp"
)

// checkPharmacies checks nominating a pharmacy and searching the pharmacy
// directory.
func (s *prescriptionSuite) checkPharmacies(t *testing.T) {
	ctx, sys, fx, ph, note := s.ctx, s.sys, s.fx, s.ph, s.note

	t.Run("Nomination", func(t *testing.T) {
		got, ok, err := sys.NominatedPharmacy(ctx, fx.Unnominated)
		if note(err) != nil || ok {
			t.Fatalf("NominatedPharmacy(unnominated): %+v, %t, %v; want none", got, ok, err)
		}
		set, err := sys.Nominate(ctx, fx.Unnominated, fx.Pharmacy, rxActor)
		if note(err) != nil {
			t.Fatalf("Nominate: %v", err)
		}
		if diff := cmp.Diff(ph, set); diff != "" {
			t.Errorf("Nominate returned (-pharmacy +got):\n%s", diff)
		}
		got, ok, err = sys.NominatedPharmacy(ctx, fx.Unnominated)
		if note(err) != nil || !ok {
			t.Fatalf("NominatedPharmacy after Nominate: %t, %v", ok, err)
		}
		if diff := cmp.Diff(ph, got); diff != "" {
			t.Errorf("NominatedPharmacy (-nominated +got):\n%s", diff)
		}
		for _, tc := range []struct{ name, patient, ods string }{
			{"unknown pharmacy", fx.Unnominated, "FNOPE"},
			{"no pharmacy", fx.Unnominated, ""},
			{"unregistered patient", unregistered, fx.Pharmacy},
			{"invalid NHS number", "9990000019", fx.Pharmacy},
		} {
			if _, err := sys.Nominate(ctx, tc.patient, tc.ods, rxActor); !errors.Is(note(err), gp.ErrNotFound) {
				t.Errorf("Nominate, %s: got %v, want ErrNotFound", tc.name, err)
			}
		}
		if _, _, err := sys.NominatedPharmacy(ctx, unregistered); !errors.Is(note(err), gp.ErrNotFound) {
			t.Errorf("NominatedPharmacy(unregistered): got %v, want ErrNotFound", err)
		}
		if got, _, _ := sys.NominatedPharmacy(ctx, fx.Unnominated); got.ODS != fx.Pharmacy {
			t.Errorf("a refused nomination changed the nominated pharmacy to %q", got.ODS)
		}
	})

	t.Run("Pharmacies", func(t *testing.T) {
		all, err := sys.Pharmacies(ctx, "")
		if note(err) != nil || len(all) < 2 {
			t.Fatalf("Pharmacies(\"\"): %d, %v; want them all", len(all), err)
		}
		for i, p := range all {
			if p.ODS == "" || p.Name == "" || p.Postcode == "" || len(p.Address) == 0 {
				t.Errorf("incomplete pharmacy %+v", p)
			}
			if i > 0 && p.Name < all[i-1].Name {
				t.Errorf("pharmacy %q listed after %q: not ordered by name", p.Name, all[i-1].Name)
			}
		}
		if !slices.ContainsFunc(all, func(p gp.Pharmacy) bool { return cmp.Equal(p, ph) }) {
			t.Errorf("Pharmacies(\"\") lacks %+v", ph)
		}
		word := strings.Fields(ph.Name)[0]
		outward := strings.Fields(ph.Postcode)[0]
		for _, q := range []string{
			ph.Name, strings.ToLower(word), strings.ToUpper(word), ph.Postcode, strings.ToLower(ph.Postcode),
			strings.ReplaceAll(ph.Postcode, " ", ""), strings.ToLower(strings.ReplaceAll(ph.Postcode, " ", "")),
			outward, strings.ToLower(outward), "  " + ph.Postcode + " ",
		} {
			found, err := sys.Pharmacies(ctx, q)
			if note(err) != nil {
				t.Fatalf("Pharmacies(%q): %v", q, err)
			}
			if !slices.ContainsFunc(found, func(p gp.Pharmacy) bool { return p.ODS == ph.ODS }) {
				t.Errorf("Pharmacies(%q) lacks %s", q, ph.Name)
			}
			compact := strings.ToLower(strings.ReplaceAll(q, " ", ""))
			for i, p := range found {
				name := strings.Contains(strings.ToLower(p.Name), strings.ToLower(strings.TrimSpace(q)))
				postcode := strings.Contains(strings.ToLower(strings.ReplaceAll(p.Postcode, " ", "")), compact)
				if !name && !postcode {
					t.Errorf("Pharmacies(%q) lists %s, which does not match", q, p.Name)
				}
				if i > 0 && p.Name < found[i-1].Name {
					t.Errorf("Pharmacies(%q) not ordered by name", q)
				}
			}
		}
		if found, err := sys.Pharmacies(ctx, "no pharmacy is called this"); note(err) != nil || len(found) != 0 {
			t.Errorf("Pharmacies(nonsense): %+v, %v; want none", found, err)
		}
		for _, ods := range []string{"FNOPE", ""} {
			if _, err := sys.Pharmacy(ctx, ods); !errors.Is(note(err), gp.ErrNotFound) {
				t.Errorf("Pharmacy(%q): got %v, want ErrNotFound", ods, err)
			}
		}
	})
}
