CREATE EXTENSION btree_gist;
CREATE TABLE bookings (id int PRIMARY KEY, room int NOT NULL, during tstzrange NOT NULL,
  CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room WITH =, during WITH &&));
CREATE TABLE slots (id int, during tstzrange, EXCLUDE USING gist (during WITH &&) WHERE (id > 0));
