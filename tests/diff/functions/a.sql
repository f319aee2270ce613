CREATE TABLE items (id int PRIMARY KEY, name text, updated_at timestamptz);
CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT a + b';
CREATE FUNCTION gone() RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.updated_at = now(); RETURN NEW; END$$;
CREATE FUNCTION label(i int) RETURNS text LANGUAGE sql AS $$SELECT 'item ' || i$$;
