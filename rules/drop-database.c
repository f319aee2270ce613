/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_drop_database = {
	.id = "drop-database",
	.severity = SEVERITY_ERROR,
	.category = "destructive",
	.summary = "DROP DATABASE in a migration",
};
