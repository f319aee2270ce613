/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_missing_lock_timeout = {
	.id = "missing-lock-timeout",
	.severity = SEVERITY_WARNING,
	.category = "locking",
	.summary = "a statement takes a strong lock with no lock_timeout set: it can queue behind a long query and block everyone behind it",
};
