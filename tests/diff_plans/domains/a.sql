CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');
CREATE DOMAIN pos AS int;
CREATE TABLE users (id int PRIMARY KEY, mail email);
