CREATE SCHEMA app;
CREATE TABLE app.docs (id int PRIMARY KEY, body text, secret text);
GRANT SELECT, INSERT ON app.docs TO writer;
GRANT SELECT ON app.docs TO reader;
CREATE FUNCTION app.f() RETURNS int LANGUAGE sql AS 'SELECT 1';
