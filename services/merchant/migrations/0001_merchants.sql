-- Merchant service schema (forward-only; docs/merchant.md describes the model).

CREATE TABLE merchants (
  id                 text             PRIMARY KEY,
  name               text             NOT NULL,
  lat                double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
  lng                double precision NOT NULL CHECK (lng BETWEEN -180 AND 180),
  -- IANA zone; opening hours are wall-clock times in it.
  time_zone          text             NOT NULL,
  -- [{dayOfWeek, openMinute, closeMinute}], day 0 = Monday.
  opening_hours      jsonb            NOT NULL DEFAULT '[]',
  -- What the merchant chose; AUTO_PAUSED and CLOSED are computed.
  manual_status      text             NOT NULL DEFAULT 'OPEN' CHECK (manual_status IN ('OPEN', 'PAUSED')),
  auto_paused        boolean          NOT NULL DEFAULT false,
  kitchen_capacity   integer          NOT NULL CHECK (kitchen_capacity > 0),
  auto_pause_backlog integer          NOT NULL CHECK (auto_pause_backlog >= 0),
  base_prep_seconds  integer          NOT NULL CHECK (base_prep_seconds > 0),
  currency           text             NOT NULL,
  -- kitchen_orders in state 'accepted', recounted under this row's lock on every kitchen change.
  backlog            integer          NOT NULL DEFAULT 0 CHECK (backlog >= 0),
  created_at         timestamptz      NOT NULL DEFAULT now(),
  updated_at         timestamptz      NOT NULL DEFAULT now()
);
-- Bounding-box prefilter of ListMerchants (no PostGIS).
CREATE INDEX merchants_lat_lng ON merchants (lat, lng);

CREATE TABLE menu_items (
  id          text        PRIMARY KEY,
  merchant_id text        NOT NULL REFERENCES merchants (id),
  name        text        NOT NULL,
  description text        NOT NULL DEFAULT '',
  price_minor bigint      NOT NULL CHECK (price_minor >= 0),
  currency    text        NOT NULL,
  -- Units left; reserved units are already subtracted. The CHECK is the last line against oversell.
  stock       integer     NOT NULL CHECK (stock >= 0),
  available   boolean     NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX menu_items_merchant ON menu_items (merchant_id);

-- One row per order id: the idempotency key of ReserveStock and ReleaseStock.
CREATE TABLE reservations (
  order_id              text        PRIMARY KEY,
  -- '' for a tombstone: a release that came before (or without) its reservation.
  merchant_id           text        NOT NULL,
  state                 text        NOT NULL CHECK (state IN ('tentative', 'confirmed', 'released')),
  -- Priced lines [{itemId, name, quantity, unitPriceMinor, lineTotalMinor}]: a repeat is answered from here.
  lines                 jsonb       NOT NULL,
  total_minor           bigint      NOT NULL,
  currency              text        NOT NULL,
  lat                   double precision NOT NULL,
  lng                   double precision NOT NULL,
  prep_estimate_seconds integer     NOT NULL,
  reserved_until        timestamptz NOT NULL,
  -- When the sweeper looks next: reserved_until at first, pushed back while a sweeper holds it.
  next_check_at         timestamptz NOT NULL,
  release_reason        text        NOT NULL DEFAULT '',
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reservations_due ON reservations (next_check_at) WHERE state = 'tentative';
CREATE INDEX reservations_merchant ON reservations (merchant_id);

-- The merchant's view of its orders in the kitchen, rebuilt from order snapshots.
CREATE TABLE kitchen_orders (
  order_id    text        PRIMARY KEY,
  merchant_id text        NOT NULL,
  state       text        NOT NULL CHECK (state IN ('accepted', 'ready', 'dropped')),
  -- order.v1 Order.version of the snapshot applied last; older snapshots are ignored.
  version     integer     NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX kitchen_orders_backlog ON kitchen_orders (merchant_id) WHERE state = 'accepted';

-- The tables @mealpeak/outbox expects (copied from libs/outbox/src/schema.sql).

-- Events waiting for the relay. Rows are deleted once Kafka acknowledged them.
CREATE TABLE outbox (
  id             bigserial   PRIMARY KEY,
  -- hash(key) % relay partitions: one relay at a time per partition keeps per-key order.
  partition      smallint    NOT NULL,
  topic          text        NOT NULL,
  key            text        NOT NULL,
  event_id       uuid        NOT NULL,
  event_type     text        NOT NULL,
  schema_version integer     NOT NULL,
  payload        bytea       NOT NULL,
  traceparent    text        NOT NULL DEFAULT '',
  tracestate     text        NOT NULL DEFAULT '',
  occurred_at    timestamptz NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_partition_id ON outbox (partition, id);

-- Events this service's consumers already applied (the inbox), written in the same transaction
-- as the effect, so a redelivered event changes nothing.
CREATE TABLE processed_events (
  consumer     text        NOT NULL,
  event_id     uuid        NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id)
);
