/* drop-column: ALTER TABLE ... DROP COLUMN of a column that existed before this migration. The
 * column's data is gone, and the application version still running names it in its queries. */
#include "lint/rule.h"

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node);

static const PgQuery__Node__NodeCase kinds[] = {
	PG_QUERY__NODE__NODE_ALTER_TABLE_STMT,
	LINT_KINDS_END,
};

const struct rule rule_drop_column = {
	.id = "drop-column",
	.severity = SEVERITY_ERROR,
	.category = CATEGORY_DESTRUCTIVE,
	.summary = "DROP COLUMN loses data and breaks the application version still reading it",
	.kinds = kinds,
	.visit = visit,
};

static void drop_column(struct lint_ctx *ctx, const PgQuery__RangeVar *rv,
			const PgQuery__AlterTableCmd *cmd)
{
	const char *rel = lint_rel(ctx, rv);
	const char *col = lint_ident(ctx, cmd->name);
	int cascade = cmd->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE;
	lint_report(ctx, &rule_drop_column, -1,
		    lint_printf(ctx,
				"stop reading it first: deploy the application version that no longer "
				"reads or writes %s (ORMs that list every column need to be told to "
				"ignore it), then drop it in a later migration; keep a copy of the "
				"values if they may be needed again%s",
				col,
				cascade ? "; instead of CASCADE, drop the views, indexes and constraints "
					  "that use it by name first"
					: ""),
		    "ALTER TABLE %s DROP COLUMN %s takes an ACCESS EXCLUSIVE lock and deletes the "
		    "column's data: the application version still running fails on every query "
		    "that names %s%s",
		    rel, col, col,
		    cascade ? "; CASCADE also drops the views and constraints that use it" : "");
}

static void visit(struct lint_ctx *ctx, const PgQuery__Node *node)
{
	lint_altered_old_columns(ctx, node->alter_table_stmt, PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn,
				 drop_column);
}
