/* One read-only connection to a live database, shared by the readers of src/catalog/ (the
 * catalog for the model, the migration history tables): opening it, the transaction discipline,
 * queries, and messages that never show the password. Internal to src/catalog/, which is the
 * only includer of libpq-fe.h. */
#ifndef PGSIEVE_CATALOG_SESSION_H
#define PGSIEVE_CATALOG_SESSION_H

#include <libpq-fe.h>

/* Waiting longer than this for a lock means someone holds ACCESS EXCLUSIVE on a table (a
 * migration running): better to stop and say so than to queue behind it. */
#define SESSION_LOCK_TIMEOUT "3s"
#define SESSION_IDLE_TIMEOUT "5min"
/* --db-timeout's default, in seconds */
#define SESSION_TIMEOUT_DEFAULT 60.0

struct session {
	PGconn *conn;
	char *password; /* to scrub from libpq's messages */
	char where[600]; /* "host=... port=... dbname=... user=..." for messages */
	double deadline; /* CLOCK_MONOTONIC seconds: session_open() + --db-timeout */
	int timed_out;   /* a wait reached the deadline: the connection is unusable */
};

/* --db-timeout: how long one session may take in all, connecting included (default
 * SESSION_TIMEOUT_DEFAULT). Set once, before any session_open(). */
void session_set_timeout(double seconds);
double session_get_timeout(void);

/* Connects to the database dsn names (a conninfo string, a URI (postgresql+DRIVER://,
 * postgis:// and pgsql:// taken as postgresql://), a database name, or "" for the PG*
 * environment variables) with application_name 'pgsieve' and client_encoding UTF8, within
 * --db-timeout. Returns 0, or -1 with error()
 * naming the server but never the password; session_close() is needed either way. */
int session_open(struct session *s, const char *dsn);
void session_close(struct session *s);

/* BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY, then session_settings(). Returns 0 or -1
 * with error(). The caller ends the transaction with session_exec(s, "ROLLBACK", ...). */
int session_begin(struct session *s);
/* The two halves, for a caller that reads something before the settings change it. */
int session_begin_transaction(struct session *s);
/* SET LOCAL search_path = '' (every name the server prints is qualified), jit off,
 * lock_timeout, statement_timeout (--db-timeout), idle_in_transaction_session_timeout:
 * all LOCAL, so that they end with the transaction. */
int session_settings(struct session *s);

/* Sends sql and waits for its results under the session's deadline (the last result, or the
 * first that failed); NULL when there is none, with s->timed_out set when the deadline passed.
 * Records no error (the catalog's fetch thread calls it), so the caller reports. */
PGresult *session_run(struct session *s, const char *sql, int nparams, const char *const *values);

/* Runs a command; returns 0, or -1 with error() saying what pgsieve was doing ("what"). */
int session_exec(struct session *s, const char *sql, const char *what);
/* Runs a query (with nparams text parameters $1...; 0 for none); the caller PQclear()s the
 * result. NULL with error() on failure; a lock timeout says which lock it waited for. */
PGresult *session_query(struct session *s, const char *sql, const char *what);
PGresult *session_query_params(struct session *s, const char *sql, int nparams, const char *const *values,
			       const char *what);

/* r, when it holds rows; else NULL, r PQclear()ed, after error() saying why (a lock timeout
 * says which lock it waited for). For results fetched without session_query(). */
PGresult *session_checked(struct session *s, PGresult *r, const char *what);
/* The same as 0 or -1 (r is PQclear()ed on failure only). */
int session_check(struct session *s, PGresult *r, const char *what);

/* Records an error about the session ("the connection ... was lost while ..." when it is gone),
 * with libpq_msg scrubbed of the password; returns -1. */
int session_error(struct session *s, const char *what, const char *libpq_msg);

#endif
