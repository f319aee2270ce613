CREATE TABLE people (id int PRIMARY KEY, email varchar(200), nick text DEFAULT 'y', tags text[] DEFAULT ARRAY[]::text[],
  scores int[] DEFAULT '{}'::int[]);
CREATE INDEX people_email_idx ON people ((email::text));
CREATE INDEX people_lower_email_idx ON people (lower(email::text));
-- casts that change the meaning: without ::bigint the product overflows integer; without
-- ::interval, now() - '90 days' reads '90 days' as a timestamp (diesel-cratesio, ente)
ALTER TABLE people ADD COLUMN ttl bigint DEFAULT (7::bigint * 24 * 60 * 60 * 1000 * 1000);
ALTER TABLE people ADD COLUMN seen timestamptz;
CREATE VIEW recent_people AS SELECT id FROM people WHERE seen > now() - INTERVAL '90 days';
ALTER TABLE people ADD CONSTRAINT people_ttl_check CHECK (ttl < 30::bigint * 24 * 60 * 60 * 1000 * 1000);
