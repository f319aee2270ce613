CREATE TABLE events (id bigint PRIMARY KEY, kind text, at timestamptz, payload jsonb);
CREATE INDEX events_kind_idx ON events (kind) WHERE kind IS NOT NULL;
CREATE INDEX events_at_desc_idx ON events (at);
CREATE UNIQUE INDEX events_kind_at_key ON events (kind, at DESC) INCLUDE (id);
CREATE INDEX events_payload_idx ON events USING gin (payload jsonb_path_ops);
COMMENT ON INDEX events_at_desc_idx IS 'by time';
