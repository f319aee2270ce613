/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_security_definer_search_path = {
	.id = "security-definer-search-path",
	.severity = SEVERITY_ERROR,
	.category = "security",
	.summary = "SECURITY DEFINER function without a fixed search_path",
};
