CREATE TABLE sessions (id int PRIMARY KEY, expires_at timestamptz, token text);
