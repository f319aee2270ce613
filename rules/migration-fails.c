/* A statement the migration runs fails on PostgreSQL: a real server, started by `pgsieve trace` (or
 * the scratch database of --db), said so. Reported by the trace at the server's error position.
 *
 * No statement visitor: lint cannot see this without running the statement (src/trace/). */
#include "lint/rule.h"

const struct rule rule_migration_fails = {
	.id = "migration-fails",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_CORRECTNESS,
	.summary = "a statement fails on a real PostgreSQL server (pgsieve trace)",
	.observed = 1,
};
