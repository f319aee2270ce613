-- The names PostgreSQL chooses itself: cut to 63 bytes, numbered when taken.
CREATE TABLE app.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa (
	bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb serial UNIQUE,
	c int UNIQUE REFERENCES app.orders,
	d int
);
CREATE TABLE app.t2 (a int, b int, UNIQUE (a, b), CHECK (a > b), CHECK (a > 0), CHECK (a > 1),
	FOREIGN KEY (a, b) REFERENCES app.t2 (a, b));
CREATE INDEX ON app.t2 (a);
CREATE INDEX ON app.t2 (a);
CREATE INDEX ON app.t2 ((a + b));
CREATE INDEX ON app.t2 (lower(b::text));
CREATE INDEX ON app.t2 ((a::bigint), b DESC NULLS LAST);
CREATE TABLE app."Mixed Case" ("Col" int PRIMARY KEY, "select" text DEFAULT 'x''y');
CREATE INDEX ON app."Mixed Case" ("select" text_pattern_ops);
