CREATE TABLE words (id int PRIMARY KEY, w text);
