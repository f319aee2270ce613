-- Later changes to what 001 made: renames, moves, drops, type changes.
SET search_path TO app, public;
ALTER TABLE customers ADD COLUMN phone text;
ALTER TABLE customers RENAME COLUMN phone TO phone_number;
ALTER TABLE customers ALTER COLUMN nick TYPE varchar(40);
ALTER TABLE customers DROP COLUMN tags;
ALTER INDEX customers_email_key RENAME TO customers_email_unique;
ALTER TABLE orders ALTER COLUMN note SET DEFAULT '';
ALTER TABLE orders RENAME CONSTRAINT orders_total_check TO orders_total_nonnegative;
ALTER INDEX orders_open_idx RENAME TO orders_unshipped_idx;
ALTER TABLE scratch RENAME TO scratchpad;
ALTER TABLE scratchpad RENAME COLUMN w TO weight;
ALTER TABLE scratchpad ADD CONSTRAINT scratchpad_weight_check CHECK (weight > 0);
CREATE TABLE tmp_drop (x int REFERENCES customers (id));
DROP TABLE tmp_drop;
ALTER TABLE public.misc SET SCHEMA app;
ALTER TABLE misc ALTER COLUMN label SET NOT NULL;
ALTER TABLE bookings ALTER COLUMN room TYPE bigint;
