DO $$ BEGIN
  IF (SELECT count(*) FROM archive.old_orders) = 0 THEN RAISE EXCEPTION 'the rows of old_orders are gone'; END IF;
END $$;
