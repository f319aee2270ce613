/* A live database as a source of the model, through libpq (this directory is the only includer
 * of libpq-fe.h).
 *
 * One connection, one BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY transaction with
 * search_path '' (so every name the server prints is qualified), client_encoding UTF8, a short
 * lock_timeout (the functions that print definitions wait behind an ACCESS EXCLUSIVE lock), jit
 * off and application_name 'pgsieve'. A fixed handful of set-based queries read the catalog; the
 * server itself writes most of the DDL (pg_get_*def, format('%I')), which is then applied to
 * the model by schema_apply() like any schema file, so the three sources agree. The queries are
 * sent from a second thread, so that the server computes one result while the caller's thread
 * applies the last; catalog_load() returns when that thread is done. Sizes, row estimates,
 * index validity and sequence positions are set on the objects afterwards. Nothing is ever
 * written. PostgreSQL 12 to 17: the query text depends on server_version_num where the catalog
 * does (catalog_query_text()).
 *
 * Messages never show the password: libpq's are scrubbed of it, and connection failures name
 * only host, port, database and user. */
#ifndef PGSIEVE_CATALOG_H
#define PGSIEVE_CATALOG_H

#include "schema/model.h"
#include "util/strbuf.h"

enum { CATALOG_VERSION_MIN = 120000, CATALOG_VERSION_MAX = 179999 };

struct catalog_info {
	int server_version_num;
	char database[128], user[128];
	char warning[512]; /* non-fatal: a server newer than the queries were written for */
};

/* Reads the database dsn names (a conninfo string "host=... dbname=...", a postgres:// URI, a
 * bare database name, or "" for libpq's PG* environment variables and service file) into m and
 * marks m complete. When script is not NULL the DDL that was applied is appended to it.
 * Returns 0, or -1 with error() (connection failures, lost connections, lock timeouts,
 * unsupported servers). */
int catalog_load(struct schema_model *m, const char *dsn, struct strbuf *script, struct catalog_info *info);

/* --db-timeout SECONDS: how long a session with the database may take in all (connecting,
 * every query, the wait for every answer; default 60). A server that stops answering is then
 * left with an error naming what pgsieve was waiting for. Returns 0, or -1 with error() when
 * arg is not a number of seconds from 1 to 86400. */
int catalog_set_timeout(const char *arg);

/* The catalog queries, for tests of the version gate: how many there are, and the text of the
 * i-th as it is sent to a server whose server_version_num is the one given (malloc'd; NULL when
 * i is out of range), with *what (when not NULL) saying what it reads ("reading tables"). */
size_t catalog_query_count(void);
char *catalog_query_text(size_t i, int server_version_num, const char **what);

#endif
