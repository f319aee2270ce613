/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_drop_index_blocking = {
	.id = "drop-index-blocking",
	.severity = SEVERITY_ERROR,
	.category = "locking",
	.summary = "DROP INDEX without CONCURRENTLY blocks reads and writes of the table",
};
