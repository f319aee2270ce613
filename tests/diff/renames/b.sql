CREATE TABLE customers (id bigint NOT NULL, full_name text NOT NULL, joined date);
CREATE INDEX customers_joined_idx ON customers (joined);
CREATE TABLE notes (id bigint PRIMARY KEY, body text, author bigint);
CREATE INDEX notes_author_id_idx ON notes (author);
