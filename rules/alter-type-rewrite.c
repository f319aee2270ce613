/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_alter_type_rewrite = {
	.id = "alter-type-rewrite",
	.severity = SEVERITY_ERROR,
	.category = "rewrite",
	.summary = "ALTER COLUMN TYPE that rewrites the table (and its indexes) under an ACCESS EXCLUSIVE lock",
};
