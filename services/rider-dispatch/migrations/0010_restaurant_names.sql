-- The restaurant's name and street address from the order snapshots (order.v1.Order
-- merchant_name, pickup_address), shown to riders on offers and runs. NULL for orders stored
-- before this migration that get no further event, and for orders whose snapshots carry none (an
-- order service release before the fields, orders placed before it copied them). Nullable without
-- a default: no table rewrite.
ALTER TABLE dispatch_orders ADD COLUMN merchant_name text, ADD COLUMN pickup_address text;
