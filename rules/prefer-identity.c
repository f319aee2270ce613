/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_prefer_identity = {
	.id = "prefer-identity",
	.severity = SEVERITY_WARNING,
	.category = "types",
	.summary = "serial types instead of identity columns",
};
