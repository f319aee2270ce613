/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_drop_table = {
	.id = "drop-table",
	.severity = SEVERITY_ERROR,
	.category = "destructive",
	.summary = "DROP TABLE of an existing table loses its data and breaks code that still reads it",
};
