/* UPDATE or DELETE of an existing table in one statement: every row it touches stays locked
 * until the transaction commits (blocking other writers of those rows), its dead row versions
 * pile up until vacuum, and on a big table the WAL burst lags replicas. Without WHERE it is the
 * whole table, the worse form, reported one severity step up (an error by default); with one it
 * is a warning, since the WHERE may or may not select few rows. Tables created earlier in the
 * migration are fine (nobody else uses them yet), and INSERT is not reported. */
#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = {
	PG_QUERY__NODE__NODE_UPDATE_STMT, PG_QUERY__NODE__NODE_DELETE_STMT, LINT_KINDS_END,
};

const struct rule rule_unbatched_backfill = {
	.id = "unbatched-backfill",
	.severity = SEVERITY_WARNING,
	.category = CATEGORY_LOCKING,
	.summary = "UPDATE or DELETE of a whole existing table in one statement",
	.kinds = kinds,
	.visit = visit,
};

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	/* the statement itself, or a data-modifying WITH of a query the migration runs; not the
	 * actions of CREATE RULE or the body of a function, which run later if ever */
	switch (lint_statement(ctx)->node_case) {
	case PG_QUERY__NODE__NODE_SELECT_STMT:
	case PG_QUERY__NODE__NODE_INSERT_STMT:
	case PG_QUERY__NODE__NODE_UPDATE_STMT:
	case PG_QUERY__NODE__NODE_DELETE_STMT:
		break;
	default:
		return;
	}
	int update = node->node_case == PG_QUERY__NODE__NODE_UPDATE_STMT;
	const PgQuery__RangeVar *rv = update ? node->update_stmt->relation : node->delete_stmt->relation;
	const PgQuery__Node *where = update ? node->update_stmt->where_clause : node->delete_stmt->where_clause;
	if (!rv || lint_table_is_new(ctx, rv))
		return;
	const char *rel = lint_rel(ctx, rv);
	const char *verb = update ? "UPDATE" : "DELETE";
	const char *help = lint_printf(
		ctx,
		"%s in batches of a few thousand rows by primary key, each in its own transaction, "
		"for example %s WHERE id IN (SELECT id FROM %s WHERE <not done yet> ORDER BY id "
		"LIMIT 5000) repeated until it touches no row, from a script or a background job "
		"rather than the migration's transaction; a backfill belongs after the deploy that "
		"stops writing the old way",
		update ? "update" : "delete", update ? lint_printf(ctx, "UPDATE %s SET ...", rel)
						    : lint_printf(ctx, "DELETE FROM %s", rel),
		rel);
	if (!where)
		lint_report_escalated(ctx, &rule_unbatched_backfill, -1, help,
				      "%s of %s without WHERE %s every row of the table in one "
				      "transaction: each row stays locked against other writers until "
				      "it commits, and the table's dead rows and WAL grow with its size",
				      verb, rel, update ? "rewrites" : "deletes");
	else
		lint_report(ctx, &rule_unbatched_backfill, -1, help,
			    "%s of %s %s every row its WHERE matches in one transaction: on a large "
			    "table that can be most of it, each row locked against other writers until "
			    "the transaction commits",
			    verb, rel, update ? "changes" : "deletes");
}
