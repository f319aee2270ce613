CREATE TABLE accounts (
	id bigint PRIMARY KEY,
	email text NOT NULL,
	nick varchar(40) NOT NULL,
	status text DEFAULT 'active',
	score int,
	created_at timestamptz NOT NULL DEFAULT now(),
	bio text COLLATE "C"
);
COMMENT ON COLUMN accounts.email IS 'the login address';
COMMENT ON COLUMN accounts.bio IS 'about me';
