/* Reported by the engine (lint/engine.c) for a file that is not UTF-8 text. */
#include "lint/rule.h"

const struct rule rule_invalid_input = {
	.id = "invalid-input",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_CORRECTNESS,
	.summary = "a file that is not SQL text: NUL bytes or invalid UTF-8",
};
