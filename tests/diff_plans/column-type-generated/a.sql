CREATE TABLE counters (id int PRIMARY KEY, n int NOT NULL DEFAULT 0, doubled int GENERATED ALWAYS AS (n * 2) STORED);
CREATE VIEW big_counters AS SELECT id, n FROM counters WHERE n > 100;
