-- migrate: no-transaction
-- Ops ask where an order stands in dispatch (GetDispatchStatus,
-- docs/dispatch-service.md#where-an-order-stands-getdispatchstatus): the offers that carried it
-- and how each ended. An offer names its orders only in order_ids, so without an index every such
-- read walks all offers of the retention window (8 days of a city's offers). GIN answers
-- `order_ids @> ARRAY[$1]`. Offers are inserted once per claim and order_ids never changes; status
-- updates are not HOT anyway (status is in the predicates of the pending indexes), so they add
-- one entry per order of the offer. Without GIN's pending list (fastupdate off): with it, the
-- write that found the list full (gin_pending_list_limit, 4 MB) merged it into the index itself,
-- about 200 ms every ~40k offer writes in a review's measurement (max 6.5 ms with it off, same
-- mean), and every read by order scanned the whole list. Built concurrently, like every index on
-- a table that grows with traffic (docs/development.md#migrations).
CREATE INDEX CONCURRENTLY IF NOT EXISTS offers_order_ids ON offers USING gin (order_ids)
  WITH (fastupdate = off);
