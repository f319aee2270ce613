CREATE TABLE notes (id int PRIMARY KEY, body text);
COMMENT ON TABLE notes IS 'new: it''s
two lines';
COMMENT ON COLUMN notes.body IS 'the text';
CREATE INDEX notes_body_idx ON notes (body);
COMMENT ON INDEX notes_body_idx IS 'for search';
CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
COMMENT ON FUNCTION f() IS 'one';
