-- Orders, their timeline, and the outbox/inbox of @mealpeak/outbox. Schema: orders.
CREATE TABLE orders (
  id                uuid        PRIMARY KEY,
  customer_id       text        NOT NULL,
  merchant_id       text        NOT NULL,
  state             text        NOT NULL,
  lines             jsonb       NOT NULL,
  total_minor       bigint      NOT NULL,
  currency          char(3)     NOT NULL,
  pickup_lat        double precision NOT NULL,
  pickup_lng        double precision NOT NULL,
  dropoff_lat       double precision NOT NULL,
  dropoff_lng       double precision NOT NULL,
  dropoff_address   text        NOT NULL DEFAULT '',
  placed_at         timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  accept_by         timestamptz NOT NULL,
  expected_ready_at timestamptz,
  promised_at       timestamptz NOT NULL,
  rider_id          text,
  reason            text,
  version           integer     NOT NULL
);
-- Listing a customer's or a merchant's orders, newest first, paged by (placed_at, id).
CREATE INDEX orders_customer_recent ON orders (customer_id, placed_at DESC, id DESC);
CREATE INDEX orders_merchant_recent ON orders (merchant_id, placed_at DESC, id DESC);
-- The acceptance-timeout sweeper only ever looks at waiting orders.
CREATE INDEX orders_waiting_acceptance ON orders (accept_by) WHERE state = 'PLACED';
CREATE INDEX orders_state ON orders (state);

CREATE TABLE order_timeline (
  order_id   uuid        NOT NULL REFERENCES orders (id),
  seq        integer     NOT NULL,
  from_state text,
  to_state   text        NOT NULL,
  actor_role text        NOT NULL,
  actor_id   text        NOT NULL,
  reason     text,
  at         timestamptz NOT NULL,
  PRIMARY KEY (order_id, seq)
);

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
