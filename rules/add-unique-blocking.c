/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_add_unique_blocking = {
	.id = "add-unique-blocking",
	.severity = SEVERITY_ERROR,
	.category = "locking",
	.summary = "adding a UNIQUE or PRIMARY KEY constraint builds its index under an ACCESS EXCLUSIVE lock",
};
