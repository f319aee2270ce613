CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'gone');
CREATE TABLE people (id int PRIMARY KEY, m mood DEFAULT 'ok', ms mood[]);
