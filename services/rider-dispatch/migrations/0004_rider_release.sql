-- Taking orders back from riders who cannot deliver them (docs/dispatch-service.md#taking-orders-back,
-- ADR 0013). Pings never touch PostgreSQL, and the position index forgets a rider once silent for
-- RIDER_POSITION_TTL_MS, so silence longer than that is remembered here by the release sweeper:
-- when it first found no fresh position for a rider holding orders (set to "now - TTL": the last
-- fix is at least that old), cleared when the rider is heard again or has nothing left.
ALTER TABLE riders ADD COLUMN silent_since timestamptz;

-- Why an accepted order was taken back from its rider (operations, support, and the metrics).
CREATE TABLE order_releases (
  id          bigserial   PRIMARY KEY,
  order_id    text        NOT NULL,
  rider_id    text        NOT NULL,
  -- The accepted offer the order belonged to (purged independently of this row).
  offer_id    uuid,
  reason      text        NOT NULL CHECK (reason IN ('offline_requested', 'shift_ended', 'rider_silent')),
  released_at timestamptz NOT NULL
);
CREATE INDEX order_releases_order ON order_releases (order_id);
CREATE INDEX order_releases_released_at ON order_releases (released_at);
