-- Every kind of object the model knows, written the way people write migrations (unqualified
-- names, serial, IN lists, implicit constraint names); tests/schema/roundtrip.py loads it into
-- a server and checks the model of the server, of its pg_dump and of these files are equal.
CREATE EXTENSION IF NOT EXISTS citext;
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE SCHEMA app;
COMMENT ON SCHEMA app IS 'application objects';
CREATE TYPE app.order_status AS ENUM ('new', 'paid', 'shipped');
ALTER TYPE app.order_status ADD VALUE 'cancelled' BEFORE 'shipped';
ALTER TYPE app.order_status ADD VALUE 'refunded';
ALTER TYPE app.order_status RENAME VALUE 'refunded' TO 'returned';
CREATE DOMAIN app.email AS citext CHECK (VALUE ~ '@');
CREATE DOMAIN app.positive_amount AS numeric(12,2) NOT NULL DEFAULT 0
	CONSTRAINT amount_positive CHECK (VALUE >= 0);
COMMENT ON DOMAIN app.email IS 'an address with an at sign';
CREATE TYPE app.address AS (street text, city varchar(80), zip char(5));
COMMENT ON TYPE app.address IS 'postal address';

SET search_path TO app, public;

CREATE TABLE customers (
	id bigserial PRIMARY KEY,
	email email NOT NULL UNIQUE,
	name text NOT NULL CHECK (length(name) > 0),
	status varchar(20) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'blocked')),
	address address,
	created_at timestamptz NOT NULL DEFAULT now(),
	tags text[] DEFAULT '{}',
	score int GENERATED ALWAYS AS (length(name) * 2) STORED,
	nick text COLLATE "C",
	balance numeric(10, 2) DEFAULT 0.00 CHECK (balance BETWEEN -100 AND 100000)
);
COMMENT ON TABLE customers IS 'people who buy';
COMMENT ON COLUMN customers.email IS 'login';

CREATE TABLE orders (
	id int GENERATED ALWAYS AS IDENTITY (START WITH 100),
	customer_id bigint NOT NULL REFERENCES customers ON DELETE CASCADE,
	status order_status NOT NULL DEFAULT 'new',
	total numeric(12,2) NOT NULL DEFAULT 0,
	placed_on date NOT NULL DEFAULT CURRENT_DATE,
	note text,
	PRIMARY KEY (id)
) WITH (fillfactor = 90);
CREATE INDEX ON orders (customer_id);
CREATE INDEX orders_open_idx ON orders (placed_on DESC) WHERE status <> 'shipped';
CREATE UNIQUE INDEX orders_note_lower_idx ON orders (lower(note)) INCLUDE (total);
CREATE INDEX ON orders ((placed_on + 1), customer_id);
ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;
ALTER TABLE orders ADD CONSTRAINT orders_note_present CHECK (note IS NOT NULL) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_note_present;
COMMENT ON CONSTRAINT orders_total_check ON orders IS 'no refunds as orders';
COMMENT ON INDEX orders_open_idx IS 'the open ones';

CREATE TABLE bookings (
	id serial PRIMARY KEY,
	room int NOT NULL,
	during tsrange NOT NULL,
	EXCLUDE USING gist (room WITH =, during WITH &&)
);

CREATE TABLE events (
	id bigint NOT NULL,
	happened date NOT NULL,
	payload jsonb,
	PRIMARY KEY (id, happened)
) PARTITION BY RANGE (happened);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_default PARTITION OF events DEFAULT;
CREATE INDEX events_payload_idx ON events USING gin (payload);

CREATE UNLOGGED TABLE scratch (k text PRIMARY KEY, v text, w int);

CREATE TABLE audit_base (at timestamptz DEFAULT now());
CREATE TABLE audit_orders (order_id int) INHERITS (audit_base);

CREATE SEQUENCE invoice_numbers AS int START 1000 INCREMENT 10 CACHE 5;
COMMENT ON SEQUENCE invoice_numbers IS 'invoice numbers are public';
CREATE TABLE invoices (
	number int PRIMARY KEY DEFAULT nextval('invoice_numbers'),
	order_id int REFERENCES orders (id) DEFERRABLE INITIALLY DEFERRED,
	amount positive_amount
);
ALTER SEQUENCE invoice_numbers OWNED BY invoices.number;

CREATE TABLE public.misc (id serial PRIMARY KEY, label text UNIQUE);
