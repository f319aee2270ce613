CREATE TABLE accounts (
	id bigint PRIMARY KEY,
	email varchar(100) NOT NULL,
	nick varchar(20),
	status text DEFAULT 'new',
	legacy_flag boolean,
	score int NOT NULL DEFAULT 0
);
COMMENT ON COLUMN accounts.email IS 'login';
