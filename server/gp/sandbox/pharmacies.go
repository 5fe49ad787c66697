package sandbox

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/nhs-companion/companion/app/nhs"
	"github.com/nhs-companion/companion/server/gp"
	"github.com/nhs-companion/companion/server/gp/sandbox/castdata"
)

// Pharmacies lists the sandbox pharmacies whose name holds query, or whose
// postcode does when spaces are ignored, regardless of case; "" lists all.
// They are ordered by name.
func (s *System) Pharmacies(_ context.Context, query string) ([]gp.Pharmacy, error) {
	q := strings.ToLower(strings.TrimSpace(query))
	compact := strings.ReplaceAll(q, " ", "")
	out := []gp.Pharmacy{}
	for _, p := range pharmacies {
		if q == "" || strings.Contains(strings.ToLower(p.Name), q) ||
			(compact != "" && strings.Contains(strings.ToLower(strings.ReplaceAll(p.Postcode, " ", "")), compact)) {
			out = append(out, clonePharmacy(p))
		}
	}
	return out, nil
}

// Pharmacy returns one sandbox pharmacy by ODS code.
func (s *System) Pharmacy(_ context.Context, ods string) (gp.Pharmacy, error) {
	p, ok := findPharmacy(ods)
	if !ok {
		return gp.Pharmacy{}, fmt.Errorf("pharmacy: %w", gp.ErrNotFound)
	}
	return p, nil
}

func findPharmacy(ods string) (gp.Pharmacy, bool) {
	i := slices.IndexFunc(pharmacies, func(p gp.Pharmacy) bool { return p.ODS == ods })
	if i < 0 || ods == "" {
		return gp.Pharmacy{}, false
	}
	return clonePharmacy(pharmacies[i]), true
}

// clonePharmacy copies p, so no caller can change the directory.
func clonePharmacy(p gp.Pharmacy) gp.Pharmacy {
	p.Address = slices.Clone(p.Address)
	return p
}

// pharmacies is the sandbox's pharmacy directory, ordered by name.
var pharmacies = sortedPharmacies(castdata.Pharmacies)

func sortedPharmacies(ps []gp.Pharmacy) []gp.Pharmacy {
	slices.SortFunc(ps, func(a, b gp.Pharmacy) int { return cmp.Compare(a.Name, b.Name) })
	return ps
}

// NominatedPharmacy returns the patient's nominated pharmacy, and false if
// they have none.
func (s *System) NominatedPharmacy(ctx context.Context, patientNHS string) (gp.Pharmacy, bool, error) {
	const op = "nominated pharmacy"
	if !nhs.ValidNumber(patientNHS) {
		return gp.Pharmacy{}, false, fmt.Errorf("%s: %w", op, gp.ErrNotFound)
	}
	practice, ods, err := s.readNomination(ctx, patientNHS)
	if err == nil && practice == "" && s.reseedIfLost(ctx) {
		practice, ods, err = s.readNomination(ctx, patientNHS)
	}
	if err != nil {
		return gp.Pharmacy{}, false, fmt.Errorf("%s: %w: %w", op, gp.ErrUnavailable, err)
	}
	if practice == "" {
		return gp.Pharmacy{}, false, fmt.Errorf("%s: %w", op, gp.ErrNotFound)
	}
	// A pharmacy gone from the directory is no nomination.
	p, ok := findPharmacy(ods)
	return p, ok, nil
}

func (s *System) readNomination(ctx context.Context, nhsNumber string) (practice, ods string, err error) {
	practice = gp.Registration(ctx, nhsNumber)
	pipe := s.rdb.Pipeline()
	var pr *redis.StringCmd
	if practice == "" {
		pr = pipe.HGet(ctx, s.key("patient", nhsNumber), "practice")
	}
	od := pipe.HGet(ctx, s.rxNominatedKey(nhsNumber), "ods")
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return "", "", err
	}
	if pr != nil {
		practice = pr.Val()
	}
	return practice, od.Val(), nil
}

// Nominate makes ods the patient's nominated pharmacy.
func (s *System) Nominate(ctx context.Context, patientNHS, ods, actor string) (gp.Pharmacy, error) {
	const op = "nominate pharmacy"
	p, ok := findPharmacy(ods)
	if !nhs.ValidNumber(patientNHS) || !ok {
		return gp.Pharmacy{}, fmt.Errorf("%s: %w", op, gp.ErrNotFound)
	}
	if _, err := s.Patient(ctx, patientNHS); err != nil {
		return gp.Pharmacy{}, fmt.Errorf("%s: %w", op, err)
	}
	err := s.rdb.HSet(ctx, s.rxNominatedKey(patientNHS), map[string]any{
		"ods": ods, "by": actor, "at": s.now().UnixMilli(),
	}).Err()
	if err != nil {
		return gp.Pharmacy{}, fmt.Errorf("%s: %w: %w", op, gp.ErrUnavailable, err)
	}
	return p, nil
}
