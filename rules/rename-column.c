/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_rename_column = {
	.id = "rename-column",
	.severity = SEVERITY_ERROR,
	.category = "compatibility",
	.summary = "renaming a column breaks the application version still running",
};
