-- The roles reader and writer exist in the cluster (roles are not part of a database).
ALTER TABLE app.orders ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.orders FORCE ROW LEVEL SECURITY;
CREATE POLICY orders_by_customer ON app.orders FOR SELECT TO reader
	USING (customer_id = current_setting('app.customer')::bigint);
CREATE POLICY orders_insert ON app.orders AS RESTRICTIVE FOR INSERT TO writer, reader
	WITH CHECK (total >= 0);
COMMENT ON POLICY orders_by_customer ON app.orders IS 'tenant isolation';
GRANT USAGE ON SCHEMA app TO reader, writer;
GRANT SELECT ON ALL TABLES IN SCHEMA app TO reader;
GRANT SELECT, INSERT, UPDATE ON app.orders TO writer;
GRANT ALL ON app.customers TO writer WITH GRANT OPTION;
GRANT SELECT (k, v) ON app.scratchpad TO writer;
GRANT USAGE ON SEQUENCE app.invoice_numbers TO writer;
REVOKE EXECUTE ON FUNCTION app.add(int, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.add(int, int) TO reader;
REVOKE SELECT ON app.events_default FROM reader;
