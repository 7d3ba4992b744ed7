-- The inbox is purged by age (INBOX_RETENTION_HOURS, @mealpeak/service-kit startInboxPurge); this
-- index keeps each purge a range scan instead of a walk over every claim ever made.
CREATE INDEX processed_events_processed_at ON processed_events (processed_at);
