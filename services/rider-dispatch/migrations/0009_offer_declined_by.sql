-- Why a declined offer was declined (docs/dispatch-service.md#offers-pickup-delivery): by the
-- rider's answer, or by the rider going offline with the offer pending. A late accept is told
-- which ("declined when you went offline" rather than "already declined"). NULL for offers
-- declined before this column, and for every other status (which says why by itself).
ALTER TABLE offers ADD COLUMN declined_by text;
-- NOT VALID: enforced for every new or updated row, without scanning the existing offers under
-- the ALTER's lock (they are all NULL).
ALTER TABLE offers ADD CONSTRAINT offers_declined_by CHECK (declined_by IN ('rider', 'going_offline')) NOT VALID;
