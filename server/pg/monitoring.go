package pg

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/nhs-companion/companion/server/monitoring"
)

// Plans keeps remote-monitoring plans (monitoring_plans), one row per
// patient at each practice.
type Plans struct{ db *DB }

// NewPlans returns the plans in db.
func NewPlans(db *DB) *Plans { return &Plans{db: db} }

var _ monitoring.Store = (*Plans)(nil)

// Plan is the patient's plan at the practice, if any.
func (s *Plans) Plan(ctx context.Context, ods, nhsNumber string) (monitoring.Plan, bool, error) {
	var b []byte
	err := s.db.App.QueryRow(ctx, `SELECT plan FROM monitoring_plans WHERE practice_ods = $1 AND patient_nhs = $2`, ods, nhsNumber).Scan(&b)
	if errors.Is(err, pgx.ErrNoRows) {
		return monitoring.Plan{}, false, nil
	}
	if err != nil {
		return monitoring.Plan{}, false, err
	}
	var p monitoring.Plan
	if err := json.Unmarshal(b, &p); err != nil {
		return monitoring.Plan{}, false, fmt.Errorf("pg: read plan: %w", err)
	}
	return p, true, nil
}

// Plans lists the practice's plans.
func (s *Plans) Plans(ctx context.Context, ods string) ([]monitoring.Plan, error) {
	rows, err := s.db.App.Query(ctx, `SELECT plan FROM monitoring_plans WHERE practice_ods = $1 ORDER BY patient_nhs`, ods)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []monitoring.Plan{}
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		var p monitoring.Plan
		if err := json.Unmarshal(b, &p); err != nil {
			return nil, fmt.Errorf("pg: read plan: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Put saves the plan, replacing the patient's at its practice.
func (s *Plans) Put(ctx context.Context, p monitoring.Plan) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = s.db.App.Exec(ctx, `INSERT INTO monitoring_plans (practice_ods, patient_nhs, plan) VALUES ($1, $2, $3)
		ON CONFLICT (practice_ods, patient_nhs) DO UPDATE SET plan = EXCLUDED.plan, updated = now()`, p.PracticeODS, p.PatientNHS, b)
	return err
}
