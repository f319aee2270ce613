/* A statement ran longer than --slow-ms while the transaction held a lock that blocks writes (or
 * reads), taken by an earlier statement: the lock's queue grows for the whole time. Observed by
 * `pgsieve trace`.
 *
 * No statement visitor: lint cannot see this without running the statement (src/trace/). */
#include "lint/rule.h"

const struct rule rule_trace_lock_held = {
	.id = "trace-lock-held",
	.severity = SEVERITY_WARNING,
	.category = CATEGORY_LOCKING,
	.summary = "a slow statement ran while an earlier statement's blocking lock was held (pgsieve trace)",
	.observed = 1,
};
