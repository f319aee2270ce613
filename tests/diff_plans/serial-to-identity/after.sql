INSERT INTO tickets (title) VALUES ('after the plan');
INSERT INTO tickets (title) VALUES ('and another');
DO $$ BEGIN
  IF EXISTS (SELECT 1 FROM pg_class WHERE relname = 'tickets_id_seq' AND relkind = 'S'
             AND NOT EXISTS (SELECT 1 FROM pg_depend WHERE objid = pg_class.oid AND deptype = 'i')) THEN
    RAISE EXCEPTION 'the old sequence tickets_id_seq is still there';
  END IF;
END $$;
