CREATE SEQUENCE counter INCREMENT BY 1;
CREATE SEQUENCE obsolete;
CREATE TABLE things (id serial PRIMARY KEY, name text);
