CREATE TABLE customers (id int PRIMARY KEY, body text, joined date);
CREATE INDEX clients_joined_idx ON customers (joined);
