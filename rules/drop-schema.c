/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_drop_schema = {
	.id = "drop-schema",
	.severity = SEVERITY_ERROR,
	.category = "destructive",
	.summary = "DROP SCHEMA drops every object in it",
};
