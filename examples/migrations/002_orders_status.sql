-- A later migration against live tables: every statement here locks or
-- rewrites a table that the application is using.
ALTER TABLE orders ADD COLUMN status text NOT NULL;

ALTER TABLE orders ADD COLUMN public_id uuid DEFAULT gen_random_uuid();

CREATE INDEX orders_status_idx ON orders (status);

ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0);

ALTER TABLE orders ALTER COLUMN total TYPE numeric(14, 2);
