DO $$ BEGIN
  IF EXISTS (SELECT 1 FROM sessions WHERE created_at IS NOT NULL) THEN
    RAISE EXCEPTION 'the old expires_at values moved into created_at';
  END IF;
END $$;
