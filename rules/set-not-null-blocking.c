/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_set_not_null_blocking = {
	.id = "set-not-null-blocking",
	.severity = SEVERITY_ERROR,
	.category = "locking",
	.summary = "SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock",
};
