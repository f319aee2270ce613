/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_unclosed_transaction = {
	.id = "unclosed-transaction",
	.severity = SEVERITY_ERROR,
	.category = "transactions",
	.summary = "BEGIN with no COMMIT or ROLLBACK before the end of the migration",
};
