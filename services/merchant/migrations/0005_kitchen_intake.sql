-- Orders waiting for the merchant's acceptance count in the kitchen's load (docs/merchant.md,
-- "Kitchen"): a 'placed' kitchen row from the PLACED confirmation until the order is accepted
-- or dropped, so the preparation estimate and auto-pause see a peak's intake, not only the
-- orders the merchant has accepted so far.
ALTER TABLE kitchen_orders DROP CONSTRAINT kitchen_orders_state_check;
-- NOT VALID: enforced on every row written from now on, without scanning the table while this
-- migration holds its exclusive lock (kitchen writes would wait); 0007 validates the rows already
-- there without blocking writes, and builds the index the backlog count reads.
ALTER TABLE kitchen_orders ADD CONSTRAINT kitchen_orders_state_check
  CHECK (state IN ('placed', 'accepted', 'ready', 'dropped')) NOT VALID;
