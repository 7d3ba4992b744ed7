-- migrate: no-transaction
-- The recent 'placed' rows the backlog counts (countBacklog: merchant and creation time, so only
-- the last hour's are read however many old ones a kitchen that never accepts keeps), built
-- without blocking kitchen writes; accepted rows keep kitchen_orders_backlog. Then 0005's
-- constraint is checked against the rows written before it (a scan that blocks no writes).
CREATE INDEX CONCURRENTLY IF NOT EXISTS kitchen_orders_intake ON kitchen_orders (merchant_id, created_at)
  WHERE state = 'placed';
ALTER TABLE kitchen_orders VALIDATE CONSTRAINT kitchen_orders_state_check;
