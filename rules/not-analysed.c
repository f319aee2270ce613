/* Reported by the engine (lint/engine.c) for a statement past pgsieve's own limits (nesting,
 * chain length, size): not a PostgreSQL error, so not syntax-error, and only info. */
#include "lint/rule.h"

const struct rule rule_not_analysed = {
	.id = "not-analysed",
	.severity = SEVERITY_INFO,
	.category = CATEGORY_CORRECTNESS,
	.summary = "a statement past pgsieve's own limits (nesting, size): not checked, PostgreSQL may well run it",
};
