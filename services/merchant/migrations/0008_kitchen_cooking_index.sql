-- migrate: no-transaction
-- The accepted rows the backlog counts (countBacklog: merchant and the row's creation, so only
-- those created in the last ACCEPTED_COUNTS_FOR_MS are read however many a merchant that never
-- marks orders ready leaves behind), built without blocking kitchen writes.
-- created_at, not updated_at: no update changes created_at, so the index costs no HOT update.
-- Each order's ready -> ready updates (RIDER_ASSIGNED, PICKED_UP, DELIVERED change only version and
-- updated_at) stay HOT; with updated_at indexed none of them was (measured 1830/1830 -> 0/1830).
-- State changes are never HOT anyway: state is in the partial indexes' predicates (ADR 0012).
CREATE INDEX CONCURRENTLY IF NOT EXISTS kitchen_orders_accepted_created ON kitchen_orders (merchant_id, created_at)
  WHERE state = 'accepted';

-- kitchen_orders_backlog (merchant_id) WHERE state = 'accepted' (0001) is a prefix of the index
-- above with the same predicate: every read it served (also an older replica's unbounded count
-- during a rolling upgrade) uses kitchen_orders_accepted_created now, and each acceptance wrote both.
DROP INDEX CONCURRENTLY IF EXISTS kitchen_orders_backlog;

-- kitchen_orders_cooking: this migration's first draft, on (merchant_id, updated_at), which cost
-- the HOT updates above; only development databases that applied that draft have it (and refuse
-- to start on the changed checksum until their 0008 row is deleted): they lose it here.
DROP INDEX CONCURRENTLY IF EXISTS kitchen_orders_cooking;
