/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_foreign_key_without_index = {
	.id = "foreign-key-without-index",
	.severity = SEVERITY_WARNING,
	.category = "performance",
	.summary = "a foreign key whose referencing columns have no index",
};
