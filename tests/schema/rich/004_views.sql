SET search_path = app, public;
CREATE VIEW customer_orders AS
	SELECT c.id, c.name, o.total, placed_on
	FROM customers c JOIN orders o ON o.customer_id = c.id
	WHERE o.status <> 'cancelled';
CREATE VIEW active_customers WITH (security_barrier) AS
	SELECT * FROM customers WHERE status = 'active'
	WITH CASCADED CHECK OPTION;
CREATE MATERIALIZED VIEW order_totals AS
	SELECT customer_id, sum(total) AS total, count(*) AS n FROM orders GROUP BY customer_id;
CREATE UNIQUE INDEX order_totals_customer_idx ON order_totals (customer_id);
CREATE VIEW big_spenders (customer) AS SELECT customer_id FROM order_totals WHERE total > 1000;
COMMENT ON VIEW customer_orders IS 'orders with their customer';
COMMENT ON MATERIALIZED VIEW order_totals IS 'refreshed nightly';
