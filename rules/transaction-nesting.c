/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_transaction_nesting = {
	.id = "transaction-nesting",
	.severity = SEVERITY_WARNING,
	.category = "transactions",
	.summary = "BEGIN inside an open transaction, or COMMIT/ROLLBACK with none open",
};
