/* Reported by the engine (lint/engine.c) for a statement PostgreSQL's grammar rejects. */
#include "lint/rule.h"

const struct rule rule_syntax_error = {
	.id = "syntax-error",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_CORRECTNESS,
	.summary = "SQL that PostgreSQL's grammar rejects: the migration fails at this statement",
};
