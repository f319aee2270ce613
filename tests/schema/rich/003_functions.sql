CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.created_at := now();
	RETURN NEW;
END
$$;
CREATE FUNCTION app.order_count(cust bigint, OUT n bigint) LANGUAGE sql STABLE
AS $$ SELECT count(*) FROM app.orders WHERE customer_id = cust $$;
CREATE FUNCTION app.secure_lookup(p_email text) RETURNS SETOF app.customers
	LANGUAGE sql STABLE SECURITY DEFINER SET search_path = app, pg_temp
	AS $$ SELECT * FROM app.customers WHERE email = p_email $$;
CREATE PROCEDURE app.archive(before date) LANGUAGE plpgsql
	AS $$ BEGIN DELETE FROM app.orders WHERE placed_on < before; END $$;
CREATE FUNCTION app.add(a int, b int DEFAULT 1) RETURNS int
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT a + b';
CREATE FUNCTION app.pairs(n int) RETURNS TABLE (i int, sq int) LANGUAGE sql
	AS $$ SELECT g, g * g FROM generate_series(1, n) g $$;
CREATE TRIGGER customers_touch BEFORE INSERT OR UPDATE OF name ON app.customers
	FOR EACH ROW WHEN (NEW.name IS NOT NULL) EXECUTE FUNCTION app.touch();
CREATE TRIGGER orders_audit AFTER DELETE ON app.orders
	FOR EACH STATEMENT EXECUTE PROCEDURE app.touch();
ALTER TABLE app.orders DISABLE TRIGGER orders_audit;
COMMENT ON FUNCTION app.add(int, int) IS 'adds';
COMMENT ON TRIGGER customers_touch ON app.customers IS 'keeps created_at fresh';
CREATE OR REPLACE FUNCTION app.add(a int, b int DEFAULT 1) RETURNS int
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT a + b + 0';
