/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_privilege_change = {
	.id = "privilege-change",
	.severity = SEVERITY_WARNING,
	.category = "security",
	.summary = "GRANT, REVOKE, ALTER DEFAULT PRIVILEGES or a change of owner in a migration",
};
