-- migrate: no-transaction
-- Indexes for the two lists that read history (docs/operations.md#what-limits-it), built with
-- CONCURRENTLY: a plain CREATE INDEX blocks every write to orders for the whole build, which on
-- millions of rows would stall order placement during the deploy. Concurrent builds cannot run
-- in a transaction, so this migration runs statement by statement (libs/db/src/migrate.ts) and a
-- crash half-way runs it all again: IF NOT EXISTS keeps an index that was built; an INVALID one
-- left by an interrupted build is dropped by the runner before the file runs.

-- The ops list (no customer or merchant filter), newest or oldest first, paged by
-- (placed_at, id), with or without a state filter: a seq scan and sort of every order before.
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_recent ON orders (placed_at DESC, id DESC);

-- A merchant's active orders, oldest first: orders_merchant_recent walked the merchant's whole
-- history to find them. Keep the state list in step with the active states of ORDER_STATES
-- (services/order/src/domain/order.ts); a query asking for a state outside it cannot use it.
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_merchant_active ON orders (merchant_id, placed_at, id)
  WHERE state IN ('PLACED', 'ACCEPTED', 'READY_FOR_PICKUP', 'RIDER_ASSIGNED', 'PICKED_UP');
