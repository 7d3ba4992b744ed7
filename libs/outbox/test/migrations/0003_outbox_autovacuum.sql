-- As in libs/outbox/src/schema.sql and the services' migrations: vacuum the outbox after 1000
-- dead rows, unthrottled.
ALTER TABLE outbox SET (
  autovacuum_vacuum_threshold = 1000,
  autovacuum_vacuum_scale_factor = 0,
  autovacuum_vacuum_cost_delay = 0
);
