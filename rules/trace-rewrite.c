/* A statement gave an existing table a new data file (its relfilenode changed): every row was
 * copied under the statement's lock. Observed by `pgsieve trace`, not predicted.
 *
 * No statement visitor: lint cannot see this without running the statement (src/trace/). */
#include "lint/rule.h"

const struct rule rule_trace_rewrite = {
	.id = "trace-rewrite",
	.severity = SEVERITY_WARNING,
	.category = CATEGORY_REWRITE,
	.summary = "the server rewrote an existing table (pgsieve trace)",
	.observed = 1,
};
