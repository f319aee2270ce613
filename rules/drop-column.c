/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_drop_column = {
	.id = "drop-column",
	.severity = SEVERITY_ERROR,
	.category = "destructive",
	.summary = "DROP COLUMN loses data and breaks the application version still reading it",
};
