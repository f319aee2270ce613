/* The first statement of a migration that waits for a strong lock on an existing table, when
 * no lock_timeout was set before it: a lock request queues behind any long transaction that
 * touched the table, and every query on the table then queues behind the request. The check
 * is in missing-timeout.h, shared with missing-statement-timeout. */
#include "missing-timeout.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { LINT_ANY_STATEMENT, LINT_KINDS_END };

const struct rule rule_missing_lock_timeout = {
	.id = "missing-lock-timeout",
	.severity = SEVERITY_WARNING,
	.category = CATEGORY_LOCKING,
	.summary = "a statement takes a strong lock with no lock_timeout set: it can queue behind a long query and block everyone behind it",
	.kinds = kinds,
	.visit = visit,
	.fix = "SET lock_timeout at the top of the migration",
};

static const struct timeout_rule lock_timeout = {
	&rule_missing_lock_timeout, "lock_timeout", "lock-timeout-set-by-runner", "'5s'", 0,
};

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	timeout_visit(ctx, &lock_timeout, node);
}
