-- migrate: no-transaction
-- Ops ask where an order stands in dispatch (GetDispatchStatus,
-- docs/dispatch-service.md#where-an-order-stands-getdispatchstatus): the offers that carried it
-- and how each ended. An offer names its orders only in order_ids, so without an index every such
-- read walks all offers of the retention window (8 days of a city's offers). GIN answers
-- `order_ids @> ARRAY[$1]`. Offers are inserted once per claim and order_ids never changes; status
-- updates are not HOT anyway (status is in the predicates of the pending indexes), so they add
-- one entry per order of the offer, buffered by GIN's pending list (fastupdate). Built
-- concurrently, like every index on a table that grows with traffic (docs/development.md#migrations).
CREATE INDEX CONCURRENTLY IF NOT EXISTS offers_order_ids ON offers USING gin (order_ids);
