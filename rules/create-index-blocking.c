#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { PG_QUERY__NODE__NODE_INDEX_STMT, LINT_KINDS_END };

const struct rule rule_create_index_blocking = {
	.id = "create-index-blocking",
	.severity = SEVERITY_ERROR,
	.category = "locking",
	.summary = "CREATE INDEX without CONCURRENTLY blocks writes to the table while the index builds",
	.kinds = kinds,
	.visit = visit,
};

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	const PgQuery__IndexStmt *is = node->index_stmt;
	if (is->concurrent || lint_table_is_new(ctx, is->relation))
		return;
	const char *rel = lint_rel(ctx, is->relation);
	lint_report(ctx, &rule_create_index_blocking, -1,
		    lint_printf(ctx,
				"build it with CREATE %sINDEX CONCURRENTLY%s outside a transaction block: it "
				"takes SHARE UPDATE EXCLUSIVE, so reads and writes go on; if the build fails "
				"it leaves an INVALID index to drop before retrying",
				is->unique ? "UNIQUE " : "", is->if_not_exists ? " IF NOT EXISTS" : ""),
		    "CREATE %sINDEX on %s takes a %s lock: %s until the index is built",
		    is->unique ? "UNIQUE " : "", rel, lock_mode_name(LOCK_SHARE), "writes to the table wait");
}
