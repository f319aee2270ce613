CREATE TABLE clients (id bigint NOT NULL, full_name text NOT NULL, joined date);
CREATE INDEX clients_joined_idx ON clients (joined);
CREATE TABLE notes (id bigint PRIMARY KEY, txt text, author bigint);
CREATE INDEX notes_author_idx ON notes (author);
