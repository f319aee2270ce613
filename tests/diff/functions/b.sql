CREATE TABLE items (id int PRIMARY KEY, name text, updated_at timestamptz);
CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT a + b + 0';
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
	AS $$BEGIN NEW.updated_at = now(); RETURN NEW; END$$;
CREATE FUNCTION label(i int) RETURNS varchar LANGUAGE sql AS $$SELECT 'item ' || i$$;
CREATE FUNCTION count_items() RETURNS bigint LANGUAGE sql STABLE AS $$SELECT count(*) FROM items$$;
CREATE PROCEDURE cleanup(keep int) LANGUAGE sql AS $$DELETE FROM items WHERE id > keep$$;
CREATE TRIGGER items_touch BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION touch();
COMMENT ON FUNCTION add(int, int) IS 'adds';
