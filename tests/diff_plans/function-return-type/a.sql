CREATE TABLE t (id int PRIMARY KEY, n int);
CREATE FUNCTION total() RETURNS int LANGUAGE sql STABLE AS $$ SELECT coalesce(sum(n), 0)::int FROM t $$;
CREATE VIEW totals AS SELECT total() AS total;
