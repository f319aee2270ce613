/* REFRESH MATERIALIZED VIEW without CONCURRENTLY replaces the view's contents under ACCESS
 * EXCLUSIVE: every query that reads the view waits for the whole refresh, which runs the view's
 * query from scratch. CONCURRENTLY builds the new contents beside the old and applies the
 * difference under EXCLUSIVE, which lets reads go on; it needs a unique index on the view and a
 * view that was populated before. Not reported: a view created earlier in the migration (the
 * usual CREATE ... WITH NO DATA then REFRESH), and REFRESH ... WITH NO DATA, which only empties
 * the view. */
#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = { PG_QUERY__NODE__NODE_REFRESH_MAT_VIEW_STMT, LINT_KINDS_END };

const struct rule rule_refresh_matview_blocking = {
	.id = "refresh-matview-blocking",
	.severity = SEVERITY_WARNING,
	.category = CATEGORY_LOCKING,
	.summary = "REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks reads of the view",
	.kinds = kinds,
	.visit = visit,
};

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	const PgQuery__RefreshMatViewStmt *rs = node->refresh_mat_view_stmt;
	if (rs->concurrent || rs->skip_data)
		return;
	struct effect e[EFFECTS_MAX];
	size_t n = lint_effects(ctx, e, EFFECTS_MAX);
	if (n == 0 || !e[0].rel || lint_effect_is_new(ctx, &e[0]))
		return;
	const char *rel = lint_rel(ctx, e[0].rel);
	lint_report(ctx, &rule_refresh_matview_blocking, -1,
		    lint_printf(ctx,
				"REFRESH MATERIALIZED VIEW CONCURRENTLY %s keeps the view readable: it "
				"takes an %s lock, which %s. It needs a unique index on the view over plain "
				"columns with no WHERE clause (CREATE UNIQUE INDEX CONCURRENTLY ... ON %s "
				"(<key columns>)); it cannot refresh a view that was never populated (WITH "
				"NO DATA), and it is slower than a plain refresh when most rows change",
				rel, lock_mode_name(LOCK_EXCLUSIVE), lock_mode_blocks(LOCK_EXCLUSIVE), rel),
		    "REFRESH MATERIALIZED VIEW %s recomputes the view under an %s lock: it %s of the "
		    "view until the refresh ends",
		    rel, lock_mode_name(e[0].lock), lock_mode_blocks(e[0].lock));
}
