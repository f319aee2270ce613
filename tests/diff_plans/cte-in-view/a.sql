CREATE TABLE events (id int PRIMARY KEY, kind text, at timestamptz);
