/* The schema of a live database differs from the schema its migrations produce: a change made
 * by hand, a migration applied that is not in the tree (or one in the tree that was never
 * applied), a hotfix on one environment.
 *
 * Reported by `pgsieve lint DIR --db DSN --drift` (run/drift.c, diff_report_drift()), which
 * replays the migrations of DIR onto an empty model, diffs it with the database's model
 * (diff/diff.h) and records one finding at line 1 of DIR listing the differences. No statement
 * visitor. */
#include "lint/rule.h"

const struct rule rule_schema_drift = {
	.id = "schema-drift",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_CORRECTNESS,
	.summary = "the live database's schema differs from the schema the migrations produce (--drift)",
};
