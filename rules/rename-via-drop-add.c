/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_rename_via_drop_add = {
	.id = "rename-via-drop-add",
	.severity = SEVERITY_ERROR,
	.category = "destructive",
	.summary = "a column dropped and another added to the same table: probably a rename that loses the data",
};
