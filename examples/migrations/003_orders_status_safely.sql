-- The same changes, written the safe way.
SET lock_timeout = '2s';
SET statement_timeout = '5min';

ALTER TABLE customers ADD COLUMN IF NOT EXISTS status text;
ALTER TABLE customers ADD CONSTRAINT customers_status_not_null
    CHECK (status IS NOT NULL) NOT VALID;
ALTER TABLE customers VALIDATE CONSTRAINT customers_status_not_null;

-- Outside a transaction: CONCURRENTLY cannot run inside one.
CREATE INDEX CONCURRENTLY IF NOT EXISTS customers_status_idx ON customers (status);
