CREATE DOMAIN email AS text NOT NULL DEFAULT 'a@b' CHECK (VALUE LIKE '%@%') CHECK (length(VALUE) < 300);
CREATE DOMAIN pos AS int CONSTRAINT pos_check CHECK (VALUE > 0);
CREATE DOMAIN "Code" AS varchar(10);
CREATE TABLE users (id int PRIMARY KEY, mail email, rank pos, code "Code");
