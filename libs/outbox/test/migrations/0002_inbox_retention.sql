CREATE INDEX processed_events_processed_at ON processed_events (processed_at);
