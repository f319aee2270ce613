CREATE TYPE mood AS ENUM ('sad', 'happy');
CREATE DOMAIN price AS numeric(10,2) CHECK (VALUE >= 0);
CREATE TYPE pair AS (a int, b text);
CREATE TABLE t (id int PRIMARY KEY, m mood, p price, x pair);
