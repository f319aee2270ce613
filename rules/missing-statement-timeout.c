/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_missing_statement_timeout = {
	.id = "missing-statement-timeout",
	.severity = SEVERITY_WARNING,
	.category = "locking",
	.summary = "a statement takes a strong lock with no statement_timeout set",
};
