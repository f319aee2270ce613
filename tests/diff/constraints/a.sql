CREATE TABLE customers (id bigint NOT NULL, email text);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, qty int CHECK (qty > 0), code text);
ALTER TABLE orders ADD CONSTRAINT orders_code_check CHECK (length(code) = 4);
