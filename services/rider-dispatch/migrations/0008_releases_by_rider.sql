-- The rider app lists the orders taken back from its rider for a while, and a pickup of one is
-- told why (docs/dispatch-service.md#the-riders-run): releases are read by rider and time.
CREATE INDEX order_releases_rider ON order_releases (rider_id, released_at);
