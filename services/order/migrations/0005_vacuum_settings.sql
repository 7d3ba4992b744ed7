-- Per-table autovacuum (docs/operations.md#what-limits-it). Storage parameters only: ALTER TABLE
-- ... SET (...) of these takes a SHARE UPDATE EXCLUSIVE lock, which blocks neither reads nor
-- writes, and rewrites nothing.

-- The outbox holds few live rows and many dead ones (each row is deleted once published). The
-- default waits for 20 % of the table to be dead; while a long snapshot holds the dead rows the
-- relay's polls read through them (0.4 ms -> 25 ms). Vacuum after 1000 dead rows, unthrottled.
ALTER TABLE outbox SET (
  autovacuum_vacuum_threshold = 1000,
  autovacuum_vacuum_scale_factor = 0,
  autovacuum_vacuum_cost_delay = 0
);

-- Every order is updated several times on its way (never HOT: state is indexed). At 2.5M orders
-- the default 20 % lets half a million dead versions pile up before a vacuum; 2 % keeps it small.
ALTER TABLE orders SET (autovacuum_vacuum_scale_factor = 0.02);

-- The timeline is insert-only: only the insert threshold triggers its vacuum, which sets the
-- visibility map (index-only scans) and freezes in small steps instead of one big
-- anti-wraparound pass. 2 % instead of 20 % of the table.
ALTER TABLE order_timeline SET (autovacuum_vacuum_insert_scale_factor = 0.02);
