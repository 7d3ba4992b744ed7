-- migrate: no-transaction
-- The rider app lists the orders taken back from its rider for a while, and a pickup of one is
-- told why (docs/dispatch-service.md#the-riders-run): releases are read by rider and time. Built
-- concurrently, like every index on a table that grows with traffic (docs/development.md#migrations).
CREATE INDEX CONCURRENTLY IF NOT EXISTS order_releases_rider ON order_releases (rider_id, released_at);
