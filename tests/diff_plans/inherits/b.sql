CREATE TABLE base (id int NOT NULL, created date, note text);
CREATE TABLE child1 (extra text) INHERITS (base);
CREATE TABLE child2 (more int) INHERITS (base);
