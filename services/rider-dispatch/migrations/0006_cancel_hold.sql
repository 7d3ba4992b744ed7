-- A customer's cancellation in flight holds the order against pickup for a short while
-- (docs/adr/0016-cancellation-against-pickup.md): the gateway asks dispatch first, and the order
-- service's CANCELLED event then ends the order here as before. A nullable column without a
-- default adds no rewrite.
ALTER TABLE dispatch_orders ADD COLUMN cancel_hold_until timestamptz;
