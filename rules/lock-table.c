/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_lock_table = {
	.id = "lock-table",
	.severity = SEVERITY_WARNING,
	.category = "locking",
	.summary = "explicit LOCK TABLE blocks other sessions for the rest of the transaction",
};
