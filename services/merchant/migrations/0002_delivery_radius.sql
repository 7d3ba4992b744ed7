-- Delivery area (docs/merchant.md): ReserveStock refuses a drop-off farther than this from the
-- merchant, and ListMerchants shows a customer only merchants that deliver to it. Existing
-- merchants get the 5 km default; UpsertMerchant sets it (0 = the default).
ALTER TABLE merchants
  ADD COLUMN delivery_radius_m integer NOT NULL DEFAULT 5000
    CHECK (delivery_radius_m BETWEEN 100 AND 50000);
