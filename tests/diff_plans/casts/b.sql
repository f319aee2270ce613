CREATE TABLE people (id int PRIMARY KEY, email varchar(200), nick text DEFAULT 'y', tags text[] DEFAULT ARRAY[]::text[],
  scores int[] DEFAULT '{}'::int[]);
CREATE INDEX people_email_idx ON people ((email::text));
CREATE INDEX people_lower_email_idx ON people (lower(email::text));
