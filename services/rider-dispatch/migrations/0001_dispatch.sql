-- Dispatch state (schema dispatch): the orders dispatch knows about, riders, offers, declines, and
-- the outbox/inbox of @mealpeak/outbox. The order service owns order state (docs/adr/0006); these
-- rows are dispatch's own view, fed by order.events.v1, and the facts it publishes come from here.

CREATE TABLE dispatch_orders (
  order_id          text        PRIMARY KEY,
  -- Grid cell of the pickup (see src/domain/geo/zone-grid.ts); rounds and leases are per zone.
  zone              text        NOT NULL,
  merchant_id       text        NOT NULL,
  customer_id       text        NOT NULL,
  pickup_lat        double precision NOT NULL,
  pickup_lng        double precision NOT NULL,
  dropoff_lat       double precision NOT NULL,
  dropoff_lng       double precision NOT NULL,
  placed_at         timestamptz NOT NULL,
  expected_ready_at timestamptz NOT NULL,
  promised_at       timestamptz NOT NULL,
  -- The merchant marked it ready (READY_FOR_PICKUP seen): pickup is allowed from then on.
  ready             boolean     NOT NULL DEFAULT false,
  state             text        NOT NULL
    CHECK (state IN ('waiting', 'offered', 'assigned', 'picked_up', 'delivered', 'cancelled')),
  rider_id          text,
  offer_id          uuid,
  -- 0-based position in the rider's delivery sequence.
  sequence          smallint,
  -- Version of the last order snapshot applied: older snapshots are ignored.
  order_version     integer     NOT NULL,
  picked_up_at      timestamptz,
  delivered_at      timestamptz,
  updated_at        timestamptz NOT NULL
);
-- A round reads the waiting orders of one zone; the lease manager lists zones with waiting orders.
CREATE INDEX dispatch_orders_waiting ON dispatch_orders (zone, placed_at) WHERE state = 'waiting';
CREATE INDEX dispatch_orders_offer ON dispatch_orders (offer_id) WHERE offer_id IS NOT NULL;
CREATE INDEX dispatch_orders_rider_active ON dispatch_orders (rider_id)
  WHERE state IN ('offered', 'assigned', 'picked_up');

CREATE TABLE riders (
  rider_id          text        PRIMARY KEY,
  online            boolean     NOT NULL,
  status            text        NOT NULL CHECK (status IN ('idle', 'offered', 'delivering')),
  -- Asked to go offline while delivering: no new offers, offline after the last drop-off.
  offline_requested boolean     NOT NULL DEFAULT false,
  shift_ends_at     timestamptz NOT NULL,
  -- Plan of the current delivery run: when and where the rider is expected to be free again.
  busy_until        timestamptz,
  free_lat          double precision,
  free_lng          double precision,
  updated_at        timestamptz NOT NULL
);

CREATE TABLE offers (
  offer_id          uuid        PRIMARY KEY,
  rider_id          text        NOT NULL,
  -- Delivery sequence.
  order_ids         text[]      NOT NULL,
  zone              text        NOT NULL,
  status            text        NOT NULL
    CHECK (status IN ('pending', 'accepted', 'declined', 'expired', 'withdrawn')),
  pickup_lat        double precision NOT NULL,
  pickup_lng        double precision NOT NULL,
  planned_pickup_at timestamptz NOT NULL,
  created_at        timestamptz NOT NULL,
  expires_at        timestamptz NOT NULL,
  responded_at      timestamptz,
  -- The replica whose round made the offer (operations, and the failover test).
  replica_id        text        NOT NULL
);
-- Second line of defence behind the claim: a rider never has two pending offers.
CREATE UNIQUE INDEX offers_one_pending_per_rider ON offers (rider_id) WHERE status = 'pending';
CREATE INDEX offers_pending_expiry ON offers (expires_at) WHERE status = 'pending';

-- A rider who declined (or let expire) an order is not offered it again before `until`.
CREATE TABLE declined (
  order_id text        NOT NULL,
  rider_id text        NOT NULL,
  until    timestamptz NOT NULL,
  PRIMARY KEY (order_id, rider_id)
);
CREATE INDEX declined_until ON declined (until);

-- The tables @mealpeak/outbox expects (libs/outbox/src/schema.sql).
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
