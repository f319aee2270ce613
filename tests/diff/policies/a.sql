CREATE TABLE docs (id int PRIMARY KEY, owner text, public boolean);
ALTER TABLE docs ENABLE ROW LEVEL SECURITY;
CREATE POLICY docs_owner ON docs FOR SELECT USING (owner = current_user);
CREATE POLICY docs_old ON docs FOR DELETE USING (false);
