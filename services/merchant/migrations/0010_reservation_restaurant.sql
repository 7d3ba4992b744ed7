-- The restaurant's name and address as ReserveStock answered them, so that a repeated call
-- (PlaceOrder retried) answers them with the stored location rather than as the merchant is now
-- (docs/merchant.md, "Reservation lifecycle"). Nullable without defaults: no table rewrite, a
-- brief lock. Reservations from before have NULL, and their replays name the merchant as it is.
ALTER TABLE reservations ADD COLUMN merchant_name text, ADD COLUMN pickup_address text;
