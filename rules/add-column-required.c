/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_add_column_required = {
	.id = "add-column-required",
	.severity = SEVERITY_ERROR,
	.category = "correctness",
	.summary = "ADD COLUMN NOT NULL without a default fails on a table that has rows",
};
