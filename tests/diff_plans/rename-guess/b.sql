CREATE TABLE sessions (id int PRIMARY KEY, created_at timestamptz, token text);
