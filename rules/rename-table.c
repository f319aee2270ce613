/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_rename_table = {
	.id = "rename-table",
	.severity = SEVERITY_ERROR,
	.category = "compatibility",
	.summary = "renaming a table breaks the application version still running",
};
