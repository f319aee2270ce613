CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'ecstatic');
CREATE DOMAIN price AS numeric(10,2) NOT NULL DEFAULT 0 CONSTRAINT price_max CHECK (VALUE < 1000000) CHECK (VALUE >= 0);
CREATE TYPE pair AS (a int, b text, c date);
CREATE TYPE color AS ENUM ('red', 'green');
CREATE TABLE t (id int PRIMARY KEY, m mood, p price, x pair, c color DEFAULT 'red');
COMMENT ON TYPE mood IS 'how it feels';
