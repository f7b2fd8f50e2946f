-- OPC UA connectors: publishing_interval_ms is optional. Null: the subscription publishes as often as its
-- fastest mapping is sampled (within 100 ms and 1 s), and every item queues the samples between two publishes.
ALTER TABLE opcua_connectors ALTER COLUMN publishing_interval_ms DROP NOT NULL;

-- 1000 was filled in by the API when a connector named no interval, and cannot be told from a chosen 1000;
-- such connectors follow their sampling now (for mappings sampled every second or slower this is still 1000).
UPDATE opcua_connectors SET publishing_interval_ms = NULL WHERE publishing_interval_ms = 1000;
