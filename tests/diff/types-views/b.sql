CREATE TABLE orders (id bigint PRIMARY KEY, total numeric(14,2) NOT NULL, placed date);
CREATE VIEW order_totals AS SELECT id, total FROM orders;
CREATE VIEW big_orders AS SELECT id, total FROM order_totals WHERE total > 1000;
CREATE MATERIALIZED VIEW order_days AS SELECT placed, count(*) AS n FROM orders GROUP BY placed;
CREATE INDEX order_days_placed_idx ON order_days (placed);
CREATE VIEW recent AS SELECT id FROM orders WHERE placed > '2024-01-01';
