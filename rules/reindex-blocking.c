/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_reindex_blocking = {
	.id = "reindex-blocking",
	.severity = SEVERITY_ERROR,
	.category = "locking",
	.summary = "REINDEX without CONCURRENTLY blocks writes to the table and reads through the index",
};
