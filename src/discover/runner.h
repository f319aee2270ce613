/* What migration runners do with particular statements, beyond wrapping a migration in a
 * transaction or not: Flyway decides a migration's transaction from its statements, the
 * Supabase CLI takes some statements out of a migration's transaction. The facts and their
 * sources are in docs/frameworks.md. */
#ifndef PGSIEVE_RUNNER_H
#define PGSIEVE_RUNNER_H

#include <stddef.h>
#include <stdint.h>

#include "lint/run.h"

/* Flyway on PostgreSQL, for a migration with no executeInTransaction in its .conf: it runs
 * the migration without a transaction when a statement is one its parser takes for
 * non-transactional, and refuses the migration when such a statement is mixed with others
 * (unless the configuration says mixed=true). Parses text[offset..offset+n): returns
 * LINT_TX_NONE or LINT_TX_WRAPPED; when the statements are mixed, *mixed_at is the offset of
 * the statement at which Flyway notices (the first that completes the mix) and *what names
 * the non-transactional one ("CREATE INDEX CONCURRENTLY"); otherwise *mixed_at is UINT32_MAX. */
enum lint_tx runner_flyway_tx(const char *text, size_t len, uint32_t offset, size_t n,
			      int pg_version, uint32_t *mixed_at, const char **what);

/* The Supabase CLI (v2.109.0 on) runs these statements on their own, outside the pipeline
 * that holds the rest of the migration file: for lint_source.runs_alone (node is a
 * PgQuery__Node). */
int runner_supabase_alone(const void *node);

#endif
