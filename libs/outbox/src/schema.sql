-- The tables @mealpeak/outbox expects in a service's schema. Copy this into the service's first
-- migration (migrations are per service and forward-only; the library does not own the schema).

-- Events waiting for the relay. Rows are deleted once Kafka acknowledged them.
CREATE TABLE outbox (
  id             bigserial   PRIMARY KEY,
  -- hash(key) % relay partitions: one relay at a time per partition keeps per-key order.
  partition      smallint    NOT NULL,
  topic          text        NOT NULL,
  key            text        NOT NULL,
  event_id       uuid        NOT NULL,
  event_type     text        NOT NULL,
  schema_version integer     NOT NULL,
  payload        bytea       NOT NULL,
  traceparent    text        NOT NULL DEFAULT '',
  tracestate     text        NOT NULL DEFAULT '',
  occurred_at    timestamptz NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_partition_id ON outbox (partition, id);
-- Few live rows, many dead ones. The default autovacuum waits for 20 % of the table to be dead;
-- while a long snapshot holds them the relay's polls read through them (0.4 ms -> 25 ms).
-- Vacuum after 1000 dead rows, unthrottled. (Services added it in a later migration.)
ALTER TABLE outbox SET (
  autovacuum_vacuum_threshold = 1000,
  autovacuum_vacuum_scale_factor = 0,
  autovacuum_vacuum_cost_delay = 0
);

-- Events this service's consumers already applied (the inbox), written in the same transaction
-- as the effect, so a redelivered event changes nothing.
CREATE TABLE processed_events (
  consumer     text        NOT NULL,
  event_id     uuid        NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id)
);
-- purgeClaims deletes by age (INBOX_RETENTION_HOURS).
CREATE INDEX processed_events_processed_at ON processed_events (processed_at);
