/* What the server did for a statement (the strongest lock on each relation, a rewrite, a full scan)
 * differs from what pgsieve's lock table (src/effects/) predicts for it: one of the two is wrong for
 * this server version. Reported by `pgsieve trace`.
 *
 * No statement visitor: lint cannot see this without running the statement (src/trace/). */
#include "lint/rule.h"

const struct rule rule_trace_mismatch = {
	.id = "trace-mismatch",
	.severity = SEVERITY_WARNING,
	.category = CATEGORY_CORRECTNESS,
	.summary = "the server's locks, rewrites or scans differ from lint's prediction (pgsieve trace)",
	.observed = 1,
};
