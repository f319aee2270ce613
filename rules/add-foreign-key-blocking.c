/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_add_foreign_key_blocking = {
	.id = "add-foreign-key-blocking",
	.severity = SEVERITY_ERROR,
	.category = "locking",
	.summary = "adding a foreign key validates every row while both tables are locked",
};
