/* The SQL that turns a diff's `from` into its `to`: statements ordered by dependencies (schemas,
 * extensions, types and sequences first, then renames, tables and columns, functions, views,
 * constraints, indexes, triggers, policies, grants and comments; drops last, in reverse order of
 * dependency), written in their online forms where PostgreSQL has one:
 *   - an index on an existing table: CREATE INDEX CONCURRENTLY (DROP INDEX CONCURRENTLY);
 *   - a PRIMARY KEY or UNIQUE constraint on an existing table: CREATE UNIQUE INDEX CONCURRENTLY,
 *     then ADD CONSTRAINT ... USING INDEX;
 *   - a FOREIGN KEY or CHECK on an existing table: ADD CONSTRAINT ... NOT VALID, then VALIDATE;
 *   - SET NOT NULL on an existing table (PostgreSQL 12 and later): a CHECK (col IS NOT NULL)
 *     NOT VALID, VALIDATE, SET NOT NULL (which then skips its scan), and the CHECK dropped.
 * Objects on tables the plan creates are created plainly (nobody reads a new table yet).
 *
 * The plan is a psql script with no BEGIN: CONCURRENTLY cannot run in a transaction block. What
 * the plan cannot express (removing an enum label, changing a table's kind, a domain's base type)
 * is a statement-less note, counted in `unsupported`. */
#ifndef PGSIEVE_DIFF_SQL_PLAN_H
#define PGSIEVE_DIFF_SQL_PLAN_H

#include <stddef.h>

#include "diff/diff.h"

struct diff_stmt {
	char *sql;          /* one statement ending in ';', or NULL for a note only */
	char *note;         /* a comment for the reader ("probable rename: ..."), or NULL */
	int no_transaction; /* cannot run inside a transaction block (CONCURRENTLY) */
};

struct diff_plan {
	struct diff_stmt *items;
	size_t n, cap;
	size_t unsupported; /* notes for differences no statement makes */
};

/* Writes the plan for d (whose models must still be alive). pg_version: the major version the
 * plan runs on (the NOT NULL recipe needs 12). */
void diff_plan_build(struct diff_plan *p, const struct diff *d, int pg_version);
void diff_plan_release(struct diff_plan *p);

#endif
