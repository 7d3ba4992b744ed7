-- Retention of finished work (purgeFinished, DISPATCH_RETENTION_HOURS): by the placement and
-- creation times, which never change, so these indexes keep the frequent state updates HOT.
CREATE INDEX dispatch_orders_placed_at ON dispatch_orders (placed_at);
CREATE INDEX offers_created_at ON offers (created_at);
