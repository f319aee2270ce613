/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_add_exclusion_blocking = {
	.id = "add-exclusion-blocking",
	.severity = SEVERITY_ERROR,
	.category = "locking",
	.summary = "adding an EXCLUDE constraint builds its index and checks every row under an ACCESS EXCLUSIVE lock",
};
