CREATE TABLE names (id int PRIMARY KEY, n text, m text COLLATE "C");
CREATE COLLATION old_c (locale = 'C');
