/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_prefer_robust_statements = {
	.id = "prefer-robust-statements",
	.severity = SEVERITY_WARNING,
	.category = "correctness",
	.summary = "a statement in a migration that runs outside a transaction is not safe to re-run",
};
