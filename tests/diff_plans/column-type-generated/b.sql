CREATE TABLE counters (id int PRIMARY KEY, n bigint NOT NULL DEFAULT 0, doubled bigint GENERATED ALWAYS AS (n * 2) STORED);
CREATE VIEW big_counters AS SELECT id, n FROM counters WHERE n > 100;
