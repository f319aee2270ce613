/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_prefer_text = {
	.id = "prefer-text",
	.severity = SEVERITY_INFO,
	.category = "types",
	.summary = "varchar(n) instead of text with a CHECK constraint",
};
