-- Storage parameters only (docs/dispatch-service.md, "State"): ALTER TABLE ... SET (...) of these
-- takes a SHARE UPDATE EXCLUSIVE lock, which blocks neither reads nor writes, and rewrites
-- nothing. A fillfactor applies to pages written from now on; existing pages get room as rows
-- move to new ones, no rewrite (VACUUM FULL) needed.

-- riders is updated on every status change and silence check and has no index but its primary
-- key, so every update could be HOT; with full pages 0.3-0.6 % were. 70 leaves room for the new
-- versions (measured: 66 % HOT).
ALTER TABLE riders SET (fillfactor = 70);

-- dispatch_orders: state changes are never HOT (state is in the predicates of partial indexes,
-- docs/adr/0012), but the 'refresh' of an order snapshot (expected_ready_at, promised_at, ready,
-- order_version, dropoff_address) and the cancel hold touch no indexed column and can be.
ALTER TABLE dispatch_orders SET (fillfactor = 80);

-- The outbox holds few live rows and many dead ones (each row is deleted once published). The
-- default waits for 20 % of the table to be dead; while a long snapshot holds the dead rows the
-- relay's polls read through them (0.4 ms -> 25 ms). Vacuum after 1000 dead rows, unthrottled.
ALTER TABLE outbox SET (
  autovacuum_vacuum_threshold = 1000,
  autovacuum_vacuum_scale_factor = 0,
  autovacuum_vacuum_cost_delay = 0
);
