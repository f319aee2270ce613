/* Statements PostgreSQL refuses to run inside a transaction block.
 *
 * The server checks this (PreventInTransactionBlock) before it does anything, so such a
 * statement fails at once in an explicit BEGIN ... COMMIT, in the transaction a migration runner
 * wraps around a migration, in the implicit transaction of a multi-statement query, and inside
 * a function or a DO block. The list is a data table in notx.c, checked against a PostgreSQL 15
 * server; each entry names the command the way the server's error does ("CREATE INDEX
 * CONCURRENTLY cannot run inside a transaction block"). Read by the not-in-transaction rule and
 * by rules that need to know a migration cannot be transactional. */
#ifndef PGSIEVE_NOTX_H
#define PGSIEVE_NOTX_H

#include <pg_query/pg_query.pb-c.h>

struct notx_info {
	const char *command; /* as the server's error names it: "CREATE INDEX CONCURRENTLY" */
	const char *why;     /* what it does that a transaction block cannot hold, for help texts */
	int location;        /* a node location that shows it, or -1 for the statement's start */
	/* ALTER TYPE ... ADD VALUE below PostgreSQL 12: allowed after all when the type was created
	 * in the same transaction, which only the caller can know */
	int unless_type_is_new;
};

/* Whether stmt (a statement's top node) cannot run inside a transaction block on PostgreSQL
 * `pg_version` (a major version). Fills *out and returns 1 when it cannot; returns 0 otherwise.
 * out may be NULL. */
int notx_check(const PgQuery__Node *stmt, int pg_version, struct notx_info *out);

/* Whether REINDEX asks for CONCURRENTLY (PostgreSQL 12+): `REINDEX INDEX CONCURRENTLY x` and
 * `REINDEX (CONCURRENTLY) INDEX x` both arrive as an option; `(CONCURRENTLY false)` does not. */
int notx_reindex_concurrently(const PgQuery__ReindexStmt *rs);

#endif
