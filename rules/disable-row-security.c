/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_disable_row_security = {
	.id = "disable-row-security",
	.severity = SEVERITY_ERROR,
	.category = "security",
	.summary = "row-level security switched off or a policy dropped",
};
