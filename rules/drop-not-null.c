/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_drop_not_null = {
	.id = "drop-not-null",
	.severity = SEVERITY_WARNING,
	.category = "compatibility",
	.summary = "DROP NOT NULL lets NULLs in that running code may not expect",
};
