CREATE SCHEMA archive;
CREATE TABLE archive.old_orders (id int PRIMARY KEY, total numeric NOT NULL DEFAULT 0);
CREATE INDEX old_orders_total_idx ON archive.old_orders (total);
