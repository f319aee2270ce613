/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_prefer_bigint = {
	.id = "prefer-bigint",
	.severity = SEVERITY_WARNING,
	.category = "types",
	.summary = "32-bit or smaller integer for a key column: it can run out of values",
};
