CREATE SCHEMA archive;
CREATE TABLE old_orders (id int PRIMARY KEY, total numeric NOT NULL DEFAULT 0);
CREATE INDEX old_orders_total_idx ON old_orders (total);
