/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_table_rewrite_command = {
	.id = "table-rewrite-command",
	.severity = SEVERITY_ERROR,
	.category = "rewrite",
	.summary = "VACUUM FULL, CLUSTER, SET TABLESPACE, SET LOGGED/UNLOGGED or SET ACCESS METHOD rewrites the table under an ACCESS EXCLUSIVE lock",
};
