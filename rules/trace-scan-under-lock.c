/* A statement read every row of an existing table (a sequential scan in pg_stat_xact_user_tables)
 * while it held a lock on that table that blocks writes. Observed by `pgsieve trace`.
 *
 * No statement visitor: lint cannot see this without running the statement (src/trace/). */
#include "lint/rule.h"

const struct rule rule_trace_scan_under_lock = {
	.id = "trace-scan-under-lock",
	.severity = SEVERITY_WARNING,
	.category = CATEGORY_LOCKING,
	.summary = "the server read a whole table under a lock that blocks writes (pgsieve trace)",
	.observed = 1,
};
