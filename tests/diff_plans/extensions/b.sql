CREATE EXTENSION pg_trgm;
CREATE EXTENSION citext;
CREATE EXTENSION hstore;
CREATE TABLE words (id int PRIMARY KEY, w citext, attrs hstore);
CREATE INDEX words_w_trgm_idx ON words USING gin ((w::text) gin_trgm_ops);
