-- issue 19: --to requires values the rows of --from do not have and no statement can give them
-- (the histories filled them in data migrations): a new NOT NULL column without a default, and
-- an existing column made NOT NULL that has NULLs. The plan stops at its guard, before it changes
-- anything, naming each table and column; on an empty database it runs.
CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL, nick text NOT NULL, email text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL);
