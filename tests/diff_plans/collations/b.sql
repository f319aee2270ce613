CREATE COLLATION "nocase" (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TABLE names (id int PRIMARY KEY, n text COLLATE "C", m text, k text COLLATE "nocase");
CREATE INDEX names_n_idx ON names (n COLLATE "POSIX");
