/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_prefer_timestamptz = {
	.id = "prefer-timestamptz",
	.severity = SEVERITY_WARNING,
	.category = "types",
	.summary = "timestamp without time zone loses the instant the value means",
};
