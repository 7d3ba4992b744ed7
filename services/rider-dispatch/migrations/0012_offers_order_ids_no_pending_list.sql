-- offers_order_ids (0011) without GIN's pending list: with fastupdate on, offer inserts and status
-- changes append their entries to the pending list, and the write that finds it full
-- (gin_pending_list_limit, 4 MB) merges it into the index itself. Measured over 120k offer
-- inserts and status changes: that write took about 200 ms, every ~40k writes; ops' reads by
-- order also scan the whole pending list. With fastupdate off each write adds its entries
-- directly (same mean, max 6.5 ms instead of 213 ms). 0011 is left as it landed (checksummed).
--
-- An ordinary migration, not no-transaction: unlike a table's storage parameters, GIN's fastupdate
-- takes an ACCESS EXCLUSIVE lock on the index, so offer reads and writes wait while it is held.
-- The lock timeout bounds the wait for it (then rolled back and tried again). The lock is held
-- until the pending list is merged below (at most one merge, the ~200 ms a full list costs), so
-- that nothing is left for reads to scan; a second run finds an empty list.
ALTER INDEX offers_order_ids SET (fastupdate = off);
SELECT gin_clean_pending_list('offers_order_ids');
