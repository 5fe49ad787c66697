-- +goose Up
-- Feature flag rules, one row per flag, and every change to them.
CREATE TABLE flag_rules (
  name text PRIMARY KEY,
  rule jsonb NOT NULL
);
CREATE TABLE flag_changes (
  id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  time   timestamptz NOT NULL,
  flag   text NOT NULL,
  actor  text NOT NULL,
  reason text NOT NULL,
  before jsonb NOT NULL,
  after  jsonb NOT NULL
);
GRANT SELECT, INSERT, UPDATE ON flag_rules TO companion_app;
GRANT SELECT, INSERT ON flag_changes TO companion_app;

-- People's preferences (by the identity provider's subject).
CREATE TABLE preferences (
  subject  text PRIMARY KEY,
  language text NOT NULL DEFAULT ''
);
GRANT SELECT, INSERT, UPDATE ON preferences TO companion_app;

-- +goose Down
DROP TABLE preferences;
DROP TABLE flag_changes;
DROP TABLE flag_rules;
