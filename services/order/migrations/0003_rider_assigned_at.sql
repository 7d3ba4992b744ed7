-- When the order's current rider accepted, as dispatch's RiderAssigned states it (assigned_at), so
-- an earlier assignment replayed or redelivered after a reassignment is ignored instead of switching
-- the order back (docs/kafka.md#facts-ahead-of-the-order, ADR 0013). NULL when unknown: orders
-- assigned before this migration, by ops, or by a dispatch release older than the field; such an
-- order takes the next assignment as before. Nullable without a default: no table rewrite.
ALTER TABLE orders ADD COLUMN rider_assigned_at timestamptz;
