-- Idempotent stock changes (ChangeStock.request_id, docs/adr/0022): the first change under a
-- request id records its result here in the same transaction as the stock UPDATE, and a repeat
-- (a retry after a gateway timeout whose Redis record is gone) answers it without changing the
-- stock again. The change itself is kept to tell a repeat from a reuse of the id for another one.
-- Keyed per merchant: a gRPC caller choosing ids cannot pre-claim (or be refused on) an id that
-- another merchant used.
-- A new, empty table: creating it and its index takes no lock any other statement waits on.
CREATE TABLE IF NOT EXISTS stock_changes (
  merchant_id text NOT NULL,
  request_id text NOT NULL,
  item_id text NOT NULL,
  add_units integer,
  set_stock integer,
  expected_stock integer,
  stock integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (merchant_id, request_id)
);
-- The retention job finds old rows by creation time (KITCHEN_RETENTION_HOURS, ADR 0012).
CREATE INDEX IF NOT EXISTS stock_changes_created ON stock_changes (created_at);
