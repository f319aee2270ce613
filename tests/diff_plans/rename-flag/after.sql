DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM customers WHERE body IS NOT NULL) THEN RAISE EXCEPTION 'the rows of clients are gone'; END IF;
END $$;
