/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_vector_dimension_mismatch = {
	.id = "vector-dimension-mismatch",
	.severity = SEVERITY_ERROR,
	.category = "correctness",
	.summary = "a vector(n) column whose size is not one of the configured embedding sizes",
};
