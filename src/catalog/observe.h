/* Running migration statements on a database and watching what each one does, for `pgsieve
 * trace`: two connections, one that runs the statements (the statement's backend) and one that
 * watches it from outside while a statement runs.
 *
 * Per statement, from the statement's own backend, inside its transaction: the relation locks it
 * acquired (pg_locks of its pid, after minus before: locks last until the transaction ends), the
 * relations whose relfilenode changed (rewritten), and the sequential and index scans it made
 * (pg_stat_xact_user_tables' seq_scan and idx_scan, after minus before; the server has no
 * per-transaction view of each index). From the second
 * connection, every 20 ms while the statement runs: the locks its backend holds or waits for
 * (the only view of a statement that runs outside a transaction block, CREATE INDEX
 * CONCURRENTLY). A statement the migration runs outside a transaction is wrapped in BEGIN ...
 * COMMIT by pgsieve so that its locks can be read before they are released, unless PostgreSQL
 * refuses it in a transaction block.
 *
 * Every wait has a deadline of pgsieve's own (a statement past it is cancelled), so a trace
 * cannot hang. Internal to `pgsieve trace`; only this file and the rest of src/catalog/ see
 * libpq. */
#ifndef PGSIEVE_OBSERVE_H
#define PGSIEVE_OBSERVE_H

#include <stddef.h>

#include "effects/locks.h"

struct observer;

/* A relation as the observation names it. */
struct obs_rel {
	char *schema, *name;
	char kind;      /* pg_class.relkind: 'r' table, 'p' partitioned, 'i' index, 'S' sequence, ... */
	char *table;    /* for an index: its table's name ("schema.name"), else NULL */
	int created;    /* did not exist before the statement */
};

struct obs_lock {
	struct obs_rel rel;
	enum lock_mode mode;
	int granted;    /* 0: seen waiting for it */
	int held_before; /* the transaction held this mode before the statement (so the statement
			  * may need it too: re-taking a held mode leaves no trace) */
};

struct obs_scan {
	struct obs_rel rel;
	long seq, idx;  /* sequential scans of the table, scans of its indexes */
};

struct obs_result {
	struct obs_lock *locks;   /* held after the statement, by relation, strongest mode first */
	size_t nlocks;
	struct obs_rel *rewrites; /* relfilenode changed */
	size_t nrewrites;
	struct obs_scan *scans;
	size_t nscans;
	double ms;                /* the statement's own time, observation excluded */
	int failed;
	char *error;              /* the server's message (primary, then detail) */
	char sqlstate[6];
	int error_position;       /* 1-based character in the statement's text, 0: none */
	int in_transaction;       /* ran inside a transaction block (the migration's, or pgsieve's) */
	int wrapped;              /* in pgsieve's own BEGIN ... COMMIT */
};

void obs_result_release(struct obs_result *r);

/* Opens both connections to the database dsn names; statement_timeout is pgsieve's deadline per
 * statement, in seconds. Returns NULL with error(), never naming a password. */
struct observer *observer_open(const char *dsn, double statement_timeout);
void observer_close(struct observer *o);

/* The server's major version. */
int observer_server_version(const struct observer *o);

/* --db: the tables of the database that pgsieve did not create (not in a schema it made),
 * "schema.name", at most max of them into names (malloc'd); returns how many there are in all,
 * or -1 with error(). */
long observer_foreign_tables(struct observer *o, char **names, size_t max);

/* --db: records the database's tables as pgsieve's own (pgsieve_trace.created), once a trace
 * has run its migrations into it, so that the next trace accepts them. Returns 0 or -1. */
int observer_mark_created(struct observer *o);

/* Runs sql (one statement, or several for setup: a schema file) without observing it. Returns
 * 0, or -1 with error() holding the server's message. */
int observer_exec(struct observer *o, const char *sql);

/* Runs one statement of a migration and observes it (notx: PostgreSQL refuses it in a
 * transaction block, so it is never wrapped). Returns 0 with *r filled, failed or not; -1 with
 * error() when the observation itself failed (the connection lost, a deadline). */
int observer_run(struct observer *o, const char *sql, int notx, struct obs_result *r);
/* The data lines (psql's, without the final "\.") the next statement's COPY ... FROM STDIN
 * reads; data stays the caller's until that statement has run. */
void observer_copy_data(struct observer *o, const char *data, size_t len);

/* Whether the statements' connection is inside a transaction block; whether that transaction
 * has failed (only ROLLBACK is possible). */
int observer_in_transaction(const struct observer *o);

/* Fills every empty user table with `rows` generated rows (identity, serial and defaulted
 * columns by their defaults, the others from generate_series by type), parents before children
 * so that generated foreign keys find their rows. A table that refuses the rows (a CHECK, a type
 * without a generator) is left empty and named in *skipped (malloc'd "a, b", NULL for none).
 * Returns how many tables were filled, or -1 with error(). */
long observer_fill(struct observer *o, long rows, char **skipped);

#endif
