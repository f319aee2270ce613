CREATE TABLE base (id int NOT NULL, created date);
CREATE TABLE child1 (extra text) INHERITS (base);
