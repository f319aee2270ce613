/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_vector_index_on_empty_table = {
	.id = "vector-index-on-empty-table",
	.severity = SEVERITY_WARNING,
	.category = "correctness",
	.summary = "an ivfflat index built on a table created in this migration is trained on no data",
};
