/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_add_column_rewrite = {
	.id = "add-column-rewrite",
	.severity = SEVERITY_ERROR,
	.category = "rewrite",
	.summary = "ADD COLUMN that rewrites the whole table under an ACCESS EXCLUSIVE lock",
};
