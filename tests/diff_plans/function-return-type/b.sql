CREATE TABLE t (id int PRIMARY KEY, n int);
CREATE FUNCTION total() RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT coalesce(sum(n), 0)::bigint FROM t $$;
CREATE VIEW totals AS SELECT total() AS total;
