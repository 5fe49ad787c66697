-- +goose Up
-- The application's role: it may read and append audit events, never change
-- or remove one. The process runs its queries as this role (SET ROLE after
-- connecting); migrations and partition upkeep run as the connecting owner.
-- +goose StatementBegin
DO $$
BEGIN
  CREATE ROLE companion_app NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL; -- roles are cluster-wide: another database made it already
END
$$;
-- +goose StatementEnd
GRANT companion_app TO CURRENT_USER;
GRANT USAGE ON SCHEMA public TO companion_app;

-- One row per audited action, partitioned by month so retention drops whole
-- months. Each row carries the hash of the row before it in its partition
-- (hash = SHA-256(prev_hash || the row's fields)), so an edited, removed or
-- inserted row breaks the chain (companion audit-verify).
CREATE TABLE audit_events (
  id            bigint GENERATED ALWAYS AS IDENTITY,
  time          timestamptz NOT NULL,
  action        text NOT NULL,
  outcome       text NOT NULL,
  actor         text NOT NULL DEFAULT '',
  actor_patient text NOT NULL DEFAULT '',
  patient       text NOT NULL DEFAULT '',
  object        text NOT NULL DEFAULT '',
  reason        text NOT NULL DEFAULT '',
  request_id    text NOT NULL DEFAULT '',
  session       text NOT NULL DEFAULT '',
  prev_hash     bytea NOT NULL,
  hash          bytea NOT NULL,
  PRIMARY KEY (time, id)
) PARTITION BY RANGE (time);
CREATE INDEX audit_events_patient ON audit_events (patient, time DESC, id DESC) WHERE patient <> '';
CREATE INDEX audit_events_chain ON audit_events (id);
CREATE INDEX audit_events_actor ON audit_events (actor, time DESC) WHERE actor <> '';
GRANT SELECT, INSERT ON audit_events TO companion_app;

-- +goose Down
DROP TABLE audit_events;
