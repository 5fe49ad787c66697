-- +goose Up
-- Features' small records by key (a practice's online-request settings
-- and pause, notifications read), each kept until a time or for ever.
CREATE TABLE kept_records (
  key   text PRIMARY KEY,
  value bytea NOT NULL,
  until timestamptz
);
GRANT SELECT, INSERT, UPDATE, DELETE ON kept_records TO companion_app;

-- +goose Down
DROP TABLE kept_records;
