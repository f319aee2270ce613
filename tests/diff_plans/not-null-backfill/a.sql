CREATE TABLE users (id int PRIMARY KEY, name text, nick text);
CREATE TABLE notes (id int PRIMARY KEY, body text);
