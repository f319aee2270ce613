/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_external_side_effect = {
	.id = "external-side-effect",
	.severity = SEVERITY_ERROR,
	.category = "security",
	.summary = "a migration that reads or writes outside the database",
};
