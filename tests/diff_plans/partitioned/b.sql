CREATE TABLE measurements (id bigint NOT NULL, at date NOT NULL, v float8, unit text) PARTITION BY RANGE (at);
CREATE TABLE measurements_2024 PARTITION OF measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE measurements_2025 PARTITION OF measurements FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE INDEX measurements_at_idx ON measurements (at);
CREATE TABLE logs (id bigint NOT NULL, region text NOT NULL, msg text) PARTITION BY LIST (region);
CREATE TABLE logs_eu PARTITION OF logs FOR VALUES IN ('eu');
CREATE TABLE logs_other PARTITION OF logs DEFAULT;
CREATE INDEX logs_region_idx ON logs (region, id);
