INSERT INTO orders (note) VALUES ('after the plan');
