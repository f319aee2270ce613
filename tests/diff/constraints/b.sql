CREATE TABLE customers (id bigint PRIMARY KEY, email text UNIQUE);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers ON DELETE CASCADE,
	qty int CHECK (qty > 0), code text);
ALTER TABLE orders ADD CONSTRAINT orders_code_check CHECK (length(code) BETWEEN 3 AND 5);
ALTER TABLE orders ADD CONSTRAINT orders_customer_required CHECK (customer_id IS NOT NULL) NOT VALID;
