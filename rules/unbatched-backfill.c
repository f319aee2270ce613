/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_unbatched_backfill = {
	.id = "unbatched-backfill",
	.severity = SEVERITY_WARNING,
	.category = "locking",
	.summary = "UPDATE or DELETE of a whole existing table in one statement",
};
