CREATE TABLE docs (id int PRIMARY KEY, owner text);
ALTER TABLE docs ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Owner only" ON docs FOR UPDATE TO writer USING (owner = current_user) WITH CHECK (owner = current_user);
GRANT SELECT, UPDATE (owner) ON docs TO writer;
GRANT SELECT ON docs TO reader WITH GRANT OPTION;
CREATE SCHEMA "App";
GRANT USAGE ON SCHEMA "App" TO reader;
CREATE TABLE "App"."Things" ("Id" int PRIMARY KEY, "Name" text);
