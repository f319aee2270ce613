CREATE TABLE events (id int PRIMARY KEY, kind text, at timestamptz);
CREATE VIEW recent_ups AS
  WITH up AS (SELECT id, at FROM events WHERE kind = 'up'), last AS (SELECT max(at) AS at FROM up)
  SELECT up.id FROM up, last WHERE up.at = last.at;
CREATE VIEW ups_and_downs AS
  WITH RECURSIVE up(id, at) AS (SELECT id, at FROM events WHERE kind = 'up'
                                UNION SELECT e.id, e.at FROM events e JOIN up ON e.id = up.id + 1)
  SELECT id, 'up' AS dir FROM up
  UNION
  SELECT id, 'down' FROM events WHERE id NOT IN (SELECT id FROM up);
-- a relation read again in a subquery: PostgreSQL prints it under another name there
-- ("FROM events events_1"), and a correlated reference keeps the outer one's
CREATE VIEW late_events AS
  SELECT e.id FROM events e JOIN events ON e.id = events.id + 1
  WHERE EXISTS (SELECT 1 FROM events e WHERE e.at > events.at);
