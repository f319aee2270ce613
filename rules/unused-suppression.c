/* Reported by the engine (lint/engine.c) for a pgsieve-ignore comment that silences nothing. */
#include "lint/rule.h"

const struct rule rule_unused_suppression = {
	.id = "unused-suppression",
	.severity = SEVERITY_WARNING,
	.category = CATEGORY_META,
	.summary = "a pgsieve-ignore directive that names an unknown rule or silences nothing",
};
