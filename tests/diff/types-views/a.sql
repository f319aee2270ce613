CREATE TABLE orders (id int PRIMARY KEY, total numeric(10,2) NOT NULL, placed date);
CREATE VIEW order_totals AS SELECT id, total FROM orders;
CREATE VIEW big_orders AS SELECT id, total FROM order_totals WHERE total > 100;
CREATE VIEW old_view AS SELECT placed FROM orders;
CREATE MATERIALIZED VIEW order_days AS SELECT placed, count(*) AS n FROM orders GROUP BY placed;
