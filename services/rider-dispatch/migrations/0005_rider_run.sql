-- The rider app shows where each order goes and lists the rider's run (docs/dispatch-service.md#the-riders-run).
-- The address comes with every OrderStateChanged snapshot (order.v1.Order.dropoff_address), so it
-- is kept here rather than fetched from the order service per offer. Orders stored before this
-- migration have none ('' : the app falls back to the drop-off point). A constant default adds the
-- column without rewriting the table.
ALTER TABLE dispatch_orders ADD COLUMN dropoff_address text NOT NULL DEFAULT '';
-- Recently cancelled orders a rider held are listed with the run. rider_id and state are already
-- indexed columns, so this index keeps state updates HOT (docs/adr/0012); the cancellation time
-- (updated_at) is filtered among the rider's few cancelled rows.
CREATE INDEX dispatch_orders_rider_cancelled ON dispatch_orders (rider_id) WHERE state = 'cancelled';
