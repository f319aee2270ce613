CREATE TABLE docs (id int PRIMARY KEY, owner text);
GRANT SELECT ON docs TO reader;
