-- a user without a name (the generated rows have values in every column)
INSERT INTO users (id, name, nick) VALUES (100, NULL, 'x');
