CREATE TABLE clients (id int PRIMARY KEY, txt text, joined date);
CREATE INDEX clients_joined_idx ON clients (joined);
