/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_truncate_table = {
	.id = "truncate-table",
	.severity = SEVERITY_ERROR,
	.category = "destructive",
	.summary = "TRUNCATE deletes every row under an ACCESS EXCLUSIVE lock",
};
