-- +goose Up
-- Remote-monitoring plans: one per patient at each practice, as its staff
-- set it (readings, how often, thresholds, until when, last review).
CREATE TABLE monitoring_plans (
  practice_ods text NOT NULL,
  patient_nhs  text NOT NULL,
  plan         jsonb NOT NULL,
  updated      timestamptz NOT NULL DEFAULT now(),
  -- The last review, kept apart from the plan so neither undoes the other.
  reviewed_up_to timestamptz,
  reviewed_by    text,
  PRIMARY KEY (practice_ods, patient_nhs)
);
GRANT SELECT, INSERT, UPDATE ON monitoring_plans TO companion_app;

-- +goose Down
DROP TABLE monitoring_plans;
