CREATE TABLE docs (id int PRIMARY KEY, owner text, public boolean) WITH (fillfactor = 80);
ALTER TABLE docs ENABLE ROW LEVEL SECURITY;
ALTER TABLE docs FORCE ROW LEVEL SECURITY;
CREATE POLICY docs_owner ON docs FOR SELECT TO reader USING (owner = current_user OR public);
CREATE POLICY docs_insert ON docs AS RESTRICTIVE FOR INSERT WITH CHECK (owner = current_user);
