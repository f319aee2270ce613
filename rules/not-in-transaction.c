/* PLACEHOLDER: not implemented yet; replace with the real rule. */
#include "lint/rule.h"

const struct rule rule_not_in_transaction = {
	.id = "not-in-transaction",
	.severity = SEVERITY_ERROR,
	.category = "transactions",
	.summary = "a statement that cannot run inside a transaction block while one is open",
};
