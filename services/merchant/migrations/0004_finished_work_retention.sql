-- Retention of finished work (purgeFinished, KITCHEN_RETENTION_HOURS): rows are found by their
-- creation time, which never changes, so these indexes do not stop the frequent state updates
-- from being HOT updates. Existing kitchen rows count as created now.
ALTER TABLE kitchen_orders ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX kitchen_orders_created_at ON kitchen_orders (created_at);
CREATE INDEX reservations_created_at ON reservations (created_at);
