/* The first statement of a migration that holds a strong lock on an existing table while it
 * rewrites or reads the whole table, when no statement_timeout was set before it: nothing
 * bounds how long the lock is held. The check is in missing-timeout.h, shared with
 * missing-lock-timeout. */
#include "missing-timeout.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { LINT_ANY_STATEMENT, LINT_KINDS_END };

const struct rule rule_missing_statement_timeout = {
	.id = "missing-statement-timeout",
	.severity = SEVERITY_WARNING,
	.category = CATEGORY_LOCKING,
	.summary = "a statement takes a strong lock with no statement_timeout set",
	.kinds = kinds,
	.visit = visit,
	.fix = "SET statement_timeout at the top of the migration",
};

static const struct timeout_rule statement_timeout = {
	&rule_missing_statement_timeout, "statement_timeout", "statement-timeout-set-by-runner", "'5min'",
	EFFECT_REWRITE | EFFECT_SCAN | EFFECT_VALIDATE,
};

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	timeout_visit(ctx, &statement_timeout, node);
}
