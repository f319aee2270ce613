/* The down migration, run after its up on a real server, does not give back the schema the up
 * started from (compared as `pgsieve diff` compares). Reported by `pgsieve trace --round-trip` at the
 * down part.
 *
 * No statement visitor: lint cannot see this without running the statement (src/trace/). */
#include "lint/rule.h"

const struct rule rule_round_trip_differs = {
	.id = "round-trip-differs",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_CORRECTNESS,
	.summary = "up then down does not give back the schema from before the up (pgsieve trace --round-trip)",
	.observed = 1,
};
