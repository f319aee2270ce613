/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_expand_contract_same_migration = {
	.id = "expand-contract-same-migration",
	.severity = SEVERITY_WARNING,
	.category = "compatibility",
	.summary = "one migration both expands and contracts the same table",
};
