CREATE EXTENSION IF NOT EXISTS citext;
CREATE SCHEMA billing;
COMMENT ON SCHEMA billing IS 'money';
CREATE TABLE billing.invoices (id bigint PRIMARY KEY, email citext NOT NULL, amount numeric(12,2) NOT NULL DEFAULT 0);
CREATE TABLE keep (id int, parts int);
CREATE TABLE measurements (id bigint NOT NULL, at date NOT NULL, v float8) PARTITION BY RANGE (at);
CREATE TABLE measurements_2024 PARTITION OF measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
