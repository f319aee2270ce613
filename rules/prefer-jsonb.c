/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_prefer_jsonb = {
	.id = "prefer-jsonb",
	.severity = SEVERITY_WARNING,
	.category = "types",
	.summary = "json instead of jsonb",
};
