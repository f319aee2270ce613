CREATE COLLATION "nocase" (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TABLE names (id int PRIMARY KEY, n text COLLATE "C", m text, k text COLLATE "nocase");
CREATE INDEX names_n_idx ON names (n COLLATE "POSIX");
-- libc collations: "locale" sets lc_collate and lc_ctype; FROM copies one; old_c of --from goes
CREATE COLLATION c_copy (locale = 'C');
CREATE COLLATION posix_copy FROM "POSIX";
CREATE DOMAIN short_name AS text COLLATE c_copy CHECK (length(VALUE) < 20);
ALTER TABLE names ADD COLUMN s short_name COLLATE posix_copy;
