package pg

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

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
	p, err := scanPlan(s.db.App.QueryRow(ctx, `SELECT plan, reviewed_up_to, reviewed_by FROM monitoring_plans WHERE practice_ods = $1 AND patient_nhs = $2`, ods, nhsNumber))
	if errors.Is(err, pgx.ErrNoRows) {
		return monitoring.Plan{}, false, nil
	}
	return p, err == nil, err
}

// scanPlan reads a plan and its review from a row.
func scanPlan(row pgx.Row) (monitoring.Plan, error) {
	var b []byte
	var upTo *time.Time
	var by *string
	if err := row.Scan(&b, &upTo, &by); err != nil {
		return monitoring.Plan{}, err
	}
	var p monitoring.Plan
	if err := json.Unmarshal(b, &p); err != nil {
		return monitoring.Plan{}, fmt.Errorf("pg: read plan: %w", err)
	}
	if upTo != nil && by != nil {
		p.ReviewedUpTo, p.ReviewedBy = *upTo, *by
	}
	return p, nil
}

// Plans lists the practice's plans.
func (s *Plans) Plans(ctx context.Context, ods string) ([]monitoring.Plan, error) {
	rows, err := s.db.App.Query(ctx, `SELECT plan, reviewed_up_to, reviewed_by FROM monitoring_plans WHERE practice_ods = $1 ORDER BY patient_nhs`, ods)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []monitoring.Plan{}
	for rows.Next() {
		p, err := scanPlan(rows)
		if err != nil {
			return nil, err
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

// Review moves the patient's review forward to upTo, never back.
func (s *Plans) Review(ctx context.Context, ods, nhsNumber string, upTo time.Time, by string) error {
	_, err := s.db.App.Exec(ctx, `UPDATE monitoring_plans SET reviewed_up_to = $3, reviewed_by = $4
		WHERE practice_ods = $1 AND patient_nhs = $2 AND (reviewed_up_to IS NULL OR reviewed_up_to < $3)`, ods, nhsNumber, upTo, by)
	return err
}
