-- migrate: no-transaction
-- The accepted rows the backlog counts (countBacklog: merchant and the time the kitchen saw the
-- acceptance, so only those of the last ACCEPTED_COUNTS_FOR_MS are read however many a merchant
-- that never marks orders ready leaves behind), built without blocking kitchen writes.
-- updated_at in an index costs no HOT update here: state, in the partial indexes' predicates,
-- changes with every kitchen row update anyway (ADR 0012).
CREATE INDEX CONCURRENTLY IF NOT EXISTS kitchen_orders_cooking ON kitchen_orders (merchant_id, updated_at)
  WHERE state = 'accepted';

-- kitchen_orders_backlog (merchant_id) WHERE state = 'accepted' (0001) is a prefix of the index
-- above with the same predicate: every read it served (also an older replica's unbounded count
-- during a rolling upgrade) uses kitchen_orders_cooking now, and each acceptance wrote both.
DROP INDEX CONCURRENTLY IF EXISTS kitchen_orders_backlog;
