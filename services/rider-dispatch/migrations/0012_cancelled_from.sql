-- Where a cancellation found the order: 'waiting', 'offered', 'assigned' or 'picked_up'. A
-- cancelled order keeps its offer_id and rider_id; only this says whether the rider had accepted
-- it (assigned, picked up) or it was still only offered. Cancelled while offered, the order left
-- that offer then, whatever the offer's rider did later with the rest of its bundle: ops see the
-- offer as withdrawn for this order (docs/dispatch-service.md#where-an-order-stands-getdispatchstatus)
-- and the rider's run leaves the order out (docs/dispatch-service.md#the-riders-run), without
-- comparing the accept time, read from one replica's clock before its transaction, with the
-- cancellation's, read from another's.
--
-- NULL for orders cancelled before this column (and by a replica of the previous release during
-- the rollout, and for orders dispatch first heard of cancelled): those are judged by the times,
-- as before. Nullable without a default: no table rewrite.
ALTER TABLE dispatch_orders ADD COLUMN cancelled_from text;
-- NOT VALID: enforced for every new or updated row, without scanning the existing orders under
-- the ALTER's lock (they are all NULL).
ALTER TABLE dispatch_orders ADD CONSTRAINT dispatch_orders_cancelled_from
  CHECK (cancelled_from IN ('waiting', 'offered', 'assigned', 'picked_up')) NOT VALID;
