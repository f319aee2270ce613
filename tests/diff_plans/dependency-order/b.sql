CREATE FUNCTION next_code() RETURNS text LANGUAGE sql AS $$ SELECT 'c' || floor(random() * 1000)::int $$;
CREATE FUNCTION norm(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT lower(t) $$;
CREATE FUNCTION positive(n numeric) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT n > 0 $$;
CREATE TABLE items (id int PRIMARY KEY, code text DEFAULT next_code(), price numeric CHECK (positive(price)),
  code_norm text GENERATED ALWAYS AS (norm(code)) STORED);
CREATE TABLE labels (id int PRIMARY KEY, name text DEFAULT next_code());
CREATE INDEX items_code_norm_idx ON items (norm(code));
CREATE VIEW item_codes AS SELECT id, norm(code) AS code FROM items;
