CREATE TABLE people (id int PRIMARY KEY, email varchar(200), nick varchar(40) DEFAULT 'x'::character varying, tags text[]);
