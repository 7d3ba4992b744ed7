-- Orders waiting for the merchant's acceptance count in the kitchen's load (docs/merchant.md,
-- "Kitchen"): a 'placed' kitchen row from the PLACED confirmation until the order is accepted
-- or dropped, so the preparation estimate and auto-pause see a peak's intake, not only the
-- orders the merchant has accepted so far.
ALTER TABLE kitchen_orders DROP CONSTRAINT kitchen_orders_state_check;
ALTER TABLE kitchen_orders ADD CONSTRAINT kitchen_orders_state_check
  CHECK (state IN ('placed', 'accepted', 'ready', 'dropped'));
CREATE INDEX kitchen_orders_load ON kitchen_orders (merchant_id, created_at)
  WHERE state IN ('placed', 'accepted');
DROP INDEX kitchen_orders_backlog;
