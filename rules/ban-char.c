/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_ban_char = {
	.id = "ban-char",
	.severity = SEVERITY_WARNING,
	.category = "types",
	.summary = "char(n) pads with spaces and is never faster than text",
};
