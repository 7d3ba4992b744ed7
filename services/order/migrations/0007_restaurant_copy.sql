-- The restaurant's name and street address, copied at placement like pickup_lat/pickup_lng, so the
-- order snapshot tells dispatch (and riders) where to collect. NULL for orders placed before this
-- migration or against a merchant release that does not send them. Nullable without a default:
-- no table rewrite.
ALTER TABLE orders ADD COLUMN merchant_name text, ADD COLUMN pickup_address text;
