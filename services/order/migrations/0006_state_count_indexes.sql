-- migrate: no-transaction
-- Indexes for reads that used to walk the whole order history, built CONCURRENTLY so the build
-- blocks no order writes (see 0004_list_indexes.sql for how a no-transaction migration reruns).

-- Ops counts by state (countByState): finished orders are counted over a recent window of
-- placement times only. placed_at leads, so the window is one range whatever the states (with
-- state first, the planner drops the state condition the predicate implies and reads the whole
-- index); state is included for an index-only count. Live orders need no new index: orders_state
-- and the partial orders_merchant_active hold them. placed_at never changes, so only the update
-- that finishes an order writes this index (ADR 0012: no index on updated_at).
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_finished_recent ON orders (placed_at) INCLUDE (state)
  WHERE state IN ('DELIVERED', 'REJECTED', 'CANCELLED');

-- Orders left ACCEPTED past their expected ready time (mealpeak_order_accepted_overdue_orders,
-- read every few seconds by every replica): only the orders cooking now are in it.
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_accepted_ready ON orders (expected_ready_at)
  WHERE state = 'ACCEPTED';
