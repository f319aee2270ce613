/* Syntax that pgsieve's grammar (PostgreSQL 17) parses but an older server rejects.
 *
 * libpg_query parses with one release's grammar, so `--pg-version 15` alone would let a
 * migration through that uses MERGE ... RETURNING, which a PostgreSQL 15 server refuses. The
 * table in syntax.c lists each such feature once, with the node it shows as in the tree and
 * the major version that added it (each checked in that release's notes, see the table); the
 * unsupported-syntax rule reports the ones the target is too old for. */
#ifndef PGSIEVE_SYNTAX_H
#define PGSIEVE_SYNTAX_H

#include <pg_query/pg_query.pb-c.h>

struct syntax_feature {
	PgQuery__Node__NodeCase kind;            /* the node it shows as */
	int (*present)(const PgQuery__Node *n); /* NULL: every node of the kind */
	int since;                               /* the major version that added it */
	const char *name;                        /* as the message names it: "MERGE ... RETURNING" */
};

/* The node kinds of the table, each once, ended by PG_QUERY__NODE__NODE__NOT_SET: the kinds the
 * rule asks the engine for. */
extern const PgQuery__Node__NodeCase syntax_feature_kinds[];

/* The table, and its length. */
const struct syntax_feature *syntax_features(size_t *n);

/* The newest feature node n uses that PostgreSQL `pg_version` does not have, or NULL. */
const struct syntax_feature *syntax_feature_unsupported(const PgQuery__Node *n, int pg_version);

#endif
