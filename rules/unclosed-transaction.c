/* A BEGIN the migration never closes. psql and most runners end the session after the last
 * statement, and the server rolls an open transaction back when its session ends: the
 * migration's changes vanish although no statement failed. A runner that wraps the migration
 * in its own transaction closes it with its COMMIT, so those are not reported.
 *
 * Reported at the BEGIN that opened the transaction, once the end of the migration is reached
 * (in finish()). */
#include "lint/rule.h"
#include "lint/run.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);
static void finish(struct lint_ctx *ctx);

static const PgQuery__Node__NodeCase kinds[] = { PG_QUERY__NODE__NODE_TRANSACTION_STMT, LINT_KINDS_END };

const struct rule rule_unclosed_transaction = {
	.id = "unclosed-transaction",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_TRANSACTIONS,
	.summary = "BEGIN with no COMMIT or ROLLBACK before the end of the migration",
	.kinds = kinds,
	.visit = visit,
	.finish = finish,
};

struct state {
	int open;
	const char *keyword;   /* BEGIN or START TRANSACTION */
	struct lint_mark begin; /* the BEGIN that opened it */
};

static struct state *state_of(struct lint_ctx *ctx)
{
	void **slot = lint_rule_data(ctx, &rule_unclosed_transaction);
	if (!*slot)
		*slot = lint_alloc(ctx, sizeof(struct state));
	return *slot;
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	const PgQuery__TransactionStmt *ts = node->transaction_stmt;
	struct state *s = state_of(ctx);
	switch (ts->kind) {
	case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_BEGIN:
	case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_START:
		/* only a BEGIN that opens a transaction: one inside an open block changes nothing */
		if (s->open || lint_explicit_transaction(ctx) ||
		    (lint_framework_transaction(ctx) && lint_framework_tx_kind(ctx) == LINT_TX_WRAPPED))
			return;
		s->open = 1;
		s->keyword = ts->kind == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_BEGIN ? "BEGIN"
											     : "START TRANSACTION";
		s->begin = lint_mark_here(ctx, -1);
		break;
	case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT:
	case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK:
	case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_PREPARE:
		if (!ts->chain) /* AND CHAIN opens the next one at once */
			s->open = 0;
		break;
	default:
		break;
	}
}

static void finish(struct lint_ctx *ctx)
{
	struct state *s = *lint_rule_data(ctx, &rule_unclosed_transaction);
	/* under a wrapping runner, its COMMIT at the end closes whatever is open */
	if (!s || !s->open || lint_framework_tx_kind(ctx) == LINT_TX_WRAPPED)
		return;
	lint_report_mark(ctx, &rule_unclosed_transaction, &s->begin,
			 "add COMMIT; after the last statement of the migration",
			 "%s opens a transaction that nothing commits before the end of the migration: "
			 "when the session ends the server rolls it back, so the migration's changes are "
			 "lost although no statement failed",
			 s->keyword);
}
