CREATE TYPE account_status AS ENUM ('active', 'closed');
CREATE TABLE accounts (id int PRIMARY KEY, status account_status NOT NULL DEFAULT 'active', owner text);
CREATE VIEW active_accounts AS SELECT id, status FROM accounts WHERE status = 'active';
ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY accounts_active ON accounts USING (status <> 'closed');
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER accounts_closed BEFORE UPDATE ON accounts FOR EACH ROW WHEN (NEW.status = 'closed') EXECUTE FUNCTION touch();
