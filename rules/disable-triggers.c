/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_disable_triggers = {
	.id = "disable-triggers",
	.severity = SEVERITY_WARNING,
	.category = "correctness",
	.summary = "triggers (and the foreign keys they enforce) switched off",
};
