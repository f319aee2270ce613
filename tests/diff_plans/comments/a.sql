CREATE TABLE notes (id int PRIMARY KEY, body text);
COMMENT ON TABLE notes IS 'old';
CREATE INDEX notes_body_idx ON notes (body);
