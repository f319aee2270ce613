/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_add_check_blocking = {
	.id = "add-check-blocking",
	.severity = SEVERITY_ERROR,
	.category = "locking",
	.summary = "adding a CHECK constraint scans the whole table under an ACCESS EXCLUSIVE lock",
};
